import FunctionCatalog
import FunctionKit
import Hummingbird
import HTTPTypes
import NIOCore
import Synchronization

/// The port the server actually bound (differs from the option when it was 0).
enum BoundPort {
    static let value = Mutex(0)
}

/// Routes each HTTP request to its function by path (the catalog's longest matching route) and
/// answers with what the function wrote. Methods are the function's business, as behind any
/// CGI host. Writes one access-log line per request.
struct FunctionResponder: HTTPResponder {
    typealias Context = BasicRequestContext

    let hostFactory: @Sendable (Int) -> FunctionHost
    let maxBodyBytes: Int
    let accessLog: FunctionKit.Logger

    func respond(to request: Hummingbird.Request, context: Context) async throws -> Hummingbird.Response {
        let started = Timestamp.now()
        let path = URLEncoding.decodePath(request.uri.path)
        let match = Catalog.route(path)
        let response: FunctionKit.Response
        if let match {
            response = await hostFactory(BoundPort.value.withLock { $0 }).invoke(
                match, method: request.method.rawValue, query: request.uri.query ?? "", headers: request.headers,
                body: try await body(of: request), remoteAddress: "127.0.0.1")
        } else {
            response = FunctionKit.HTTPError.notFound("No function serves \(path).").response
        }
        accessLog.info(
            "access",
            [
                "method": .string(request.method.rawValue), "path": .string(path),
                "target": JSONValue(match?.function.name), "status": JSONValue(Int64(response.status.code)),
                "duration_ms": JSONValue(Timestamp.millisecondsSince(started)),
            ])
        var headers = response.headers
        headers[.contentLength] = nil  // Hummingbird sets it from the body
        return Hummingbird.Response(
            status: response.status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: response.body)))
    }

    /// The request body, read only up to the limit: a larger declared body is passed on as its
    /// length alone, so the function answers 413 exactly as it would behind any host.
    private func body(of request: Hummingbird.Request) async throws -> FunctionHost.Body {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return .tooLarge(declaredLength: declared)
        }
        var request = request
        do {
            let buffer = try await request.collectBody(upTo: maxBodyBytes)
            return .bytes(Array(buffer.readableBytesView))
        } catch {
            // A chunked body with no declared length that runs past the limit.
            return .tooLarge(declaredLength: maxBodyBytes + 1)
        }
    }
}
