import Foundation
import FunctionCatalog
import FunctionKit
import HTTPTypes

/// How the runtime runs a function for one request: a process per request (`CGIFunctionHost`,
/// as a CGI server does) or a kept FastCGI process (`FastCGIPools`, as production hosts do).
protocol FunctionRunner: Sendable {
    /// Runs `match`'s function for `request` and hands its answer to `deliver`, which may
    /// consume the body as it arrives. Throws only what `deliver` throws, or `AnswerIncomplete`
    /// from the answer's body; every failure of the function itself is an answer (502, 503, 504).
    func invoke(_ match: RouteMatch, _ request: FunctionRequest, deliver: (inout FunctionAnswer) async throws -> Void) async throws
}

extension FunctionRunner {
    /// The path of `name`'s executable in `folder`, or nil after answering 500 when it is not built.
    func executable(_ name: String, in folder: URL, orAnswer deliver: (inout FunctionAnswer) async throws -> Void) async throws -> String? {
        let path = folder.appending(path: name).path
        if FileManager.default.isExecutableFile(atPath: path) { return path }
        var answer = FunctionAnswer(.functionNotBuilt(name, in: folder.path))
        try await deliver(&answer)
        return nil
    }
}

/// One HTTP request as the runtime received it.
struct FunctionRequest: Sendable {
    var method: String
    var query: String
    var headers: HTTPFields
    var body: Body
    var remoteAddress: String
    /// The port the request came in on (SERVER_PORT).
    var serverPort: Int

    enum Body: Sendable {
        case bytes([UInt8])
        /// A body over the limit: the function is told its length and refuses it unread.
        case tooLarge(declaredLength: Int)
    }

    /// The body's bytes, and the CONTENT_LENGTH to declare (none for a bodiless request).
    var bodyToSend: (bytes: [UInt8], contentLength: Int?) {
        switch body {
        case .bytes(let bytes): (bytes, bytes.isEmpty && headers[.contentLength] == nil ? nil : bytes.count)
        case .tooLarge(let length): ([], length)
        }
    }

    /// The CGI meta-variables for `match`, with `settings` added (a CGI process's environment).
    func environment(for match: RouteMatch, settings: [String: String]) -> CGIEnvironment {
        CGIEnvironment(
            method: method, match: match, query: query, headers: headers, contentLength: bodyToSend.contentLength,
            remoteAddress: remoteAddress, serverPort: serverPort, settings: settings)
    }
}
