import Foundation
import FunctionCatalog
import FunctionKit
import HTTPTypes

/// Runs functions the way a CGI web server would: one process per request, its answer turned
/// back into an HTTP response. Failures of the process itself become JSON errors a caller can
/// read: 502 when it crashed or wrote no valid CGI response, 504 when it ran past the timeout.
struct FunctionHost: Sendable {
    /// Where the function executables are (the build's products folder by default).
    let functionsDirectory: URL
    /// Variables passed through to every function (see `CGIEnvironment.settings(from:)`).
    let settings: [String: String]
    let timeout: Duration
    let serverPort: Int

    enum Body {
        case bytes([UInt8])
        /// A body over the limit: the function is told its length and refuses it unread.
        case tooLarge(declaredLength: Int)
    }

    func invoke(
        _ match: RouteMatch, method: String, query: String, headers: HTTPFields, body: Body, remoteAddress: String
    ) async -> FunctionKit.Response {
        let executable = functionsDirectory.appending(path: match.function.name)
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            return HTTPError(
                .internalServerError, code: "function_not_built",
                message: "\(match.function.name) is not built in \(functionsDirectory.path); run `swift build`."
            ).response
        }
        let stdin: [UInt8]
        let contentLength: Int?
        switch body {
        case .bytes(let bytes):
            stdin = bytes
            contentLength = bytes.isEmpty && headers[.contentLength] == nil ? nil : bytes.count
        case .tooLarge(let length):
            stdin = []
            contentLength = length
        }
        let environment = CGIEnvironment(
            method: method, match: match, query: query, headers: headers, contentLength: contentLength,
            remoteAddress: remoteAddress, serverPort: serverPort, settings: settings)
        let process = CGIProcess(executable: executable, environment: environment.variables, body: stdin, timeout: timeout)

        switch await process.run() {
        case .couldNotStart(let reason):
            return HTTPError(.badGateway, code: "function_failed", message: "\(match.function.name) could not start: \(reason)").response
        case .timedOut:
            return HTTPError(
                .gatewayTimeout, code: "function_timeout",
                message: "\(match.function.name) did not answer within \(timeout) (LEADWIRE_FUNCTION_TIMEOUT_SECONDS)."
            ).response
        case .exited(let status, let output):
            do {
                let parsed = try CGIOutput(parsing: output)
                return FunctionKit.Response(status: parsed.status, headers: parsed.headers, body: parsed.body)
            } catch {
                return HTTPError(
                    .badGateway, code: "function_failed",
                    message: "\(match.function.name) exited with status \(status) without a valid CGI response (\(error))."
                ).response
            }
        }
    }
}
