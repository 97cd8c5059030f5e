import FunctionCatalog
import FunctionKit
import HTTPTypes
import HummingbirdCore
import NIOCore
import Synchronization

/// Routes each HTTP request to its function by path (the catalog's longest matching route) and
/// writes the function's answer to the client as the function writes it. Methods are the
/// function's business, as behind any CGI host. Writes one access-log line per request.
final class FunctionResponder: Sendable {
    let runner: any FunctionRunner
    let maxBodyBytes: Int
    let accessLog: FunctionKit.Logger
    /// The port the server bound (differs from the option when that was 0); set once running.
    let boundPort = Atomic<Int>(0)

    init(runner: any FunctionRunner, maxBodyBytes: Int, accessLog: FunctionKit.Logger) {
        self.runner = runner
        self.maxBodyBytes = maxBodyBytes
        self.accessLog = accessLog
    }

    func respond(to request: HummingbirdCore.Request, writer: consuming ResponseWriter, remoteAddress: String) async throws {
        let started = Timestamp.now()
        let path = URLEncoding.decodePath(request.uri.path)
        let match = Catalog.route(path)
        var writer = Optional(writer)
        var status = 0
        do {
            if let match {
                let incoming = FunctionRequest(
                    method: request.method.rawValue, query: request.uri.query ?? "", headers: request.headers,
                    body: try await body(of: request), remoteAddress: remoteAddress, serverPort: boundPort.load(ordering: .relaxed))
                try await runner.invoke(match, incoming) { answer in
                    status = answer.status.code
                    try await Self.send(&answer, to: writer.take()!)
                }
            } else {
                var answer = FunctionAnswer(HTTPError.notFound("No function serves \(path)."))
                status = answer.status.code
                try await Self.send(&answer, to: writer.take()!)
            }
        } catch {
            logAccess(request, path: path, match: match, status: status, started: started, error: error)
            throw error
        }
        logAccess(request, path: path, match: match, status: status, started: started, error: nil)
    }

    /// Writes the head, then each chunk as it comes. Throwing before the end makes the server
    /// close the connection, so an answer cut short never looks complete.
    private static func send(_ answer: inout FunctionAnswer, to writer: consuming ResponseWriter) async throws {
        var headers = answer.headers
        headers[.server] = "leadwire-runtime"
        headers[.date] = HTTPDate.now
        var body = try await writer.writeHead(HTTPResponse(status: answer.status, headerFields: headers))
        while let chunk = try await answer.nextChunk() {
            try await body.write(chunk)
        }
        try await body.finish(nil)
    }

    private func logAccess(
        _ request: HummingbirdCore.Request, path: String, match: RouteMatch?, status: Int, started: Timestamp, error: (any Error)?
    ) {
        if let error {
            accessLog.error("response_aborted", ["path": .string(path), "message": .string(String(describing: error))])
        }
        accessLog.info(
            "access",
            [
                "method": .string(request.method.rawValue), "path": .string(path),
                "target": JSONValue(match?.function.name), "status": JSONValue(Int64(status)),
                "duration_ms": JSONValue(Timestamp.millisecondsSince(started)),
            ])
    }

    /// The request body, read only up to the limit: a larger declared body is passed on as its
    /// length alone, so the function answers 413 exactly as it would behind any host. A body the
    /// client cuts short throws: no function runs for half a request.
    private func body(of request: HummingbirdCore.Request) async throws -> FunctionRequest.Body {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return .tooLarge(declaredLength: declared)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            return .bytes(Array(buffer.readableBytesView))
        } catch is NIOTooManyBytesError {
            // A chunked body with no declared length that runs past the limit.
            return .tooLarge(declaredLength: maxBodyBytes + 1)
        }
    }
}
