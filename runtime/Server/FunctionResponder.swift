import APIDescription
import FunctionCatalog
import Glibc
import FunctionKit
import HTTPTypes
import NIOCore
import NIOHTTP1
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

    /// Answers the connection's requests one after another until the client or the server ends
    /// it. An error (the client went away, or an answer was cut short) closes the connection.
    func serve(_ connection: HTTPConnection) async {
        let remoteAddress = connection.channel.remoteAddress?.ipAddress ?? "unknown"
        try? await connection.executeThenClose { inbound, outbound in
            var parts = inbound.makeAsyncIterator()
            while case .head(let head)? = try await parts.next() {
                let canContinue = try await respond(to: head, parts: &parts, outbound: outbound, remoteAddress: remoteAddress)
                guard canContinue else { return }
            }
        }
    }

    /// Answers one request. Returns whether the connection can carry another one: not when the
    /// client asked to close, nor when the request's body was left unread (it was too large).
    private func respond(
        to head: HTTPRequestHead, parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator,
        outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>, remoteAddress: String
    ) async throws -> Bool {
        let started = Timestamp.now()
        let target = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        let path = URLEncoding.decodePath(String(target[0]))
        let match = Catalog.route(path)
        let headers = Self.fields(head.headers)
        var status = 0
        var requestID: String?
        var bodyRead = true
        do {
            if let match {
                let body = try await readBody(head: head, headers: headers, parts: &parts)
                if case .tooLarge = body { bodyRead = false }
                let request = FunctionRequest(
                    method: head.method.rawValue, query: target.count > 1 ? String(target[1]) : "", headers: headers,
                    body: body, remoteAddress: remoteAddress, serverPort: boundPort.load(ordering: .relaxed))
                let keepAlive = head.isKeepAlive && bodyRead
                try await runner.invoke(match, request) { answer in
                    status = answer.status.code
                    requestID = answer.headers[.requestID]
                    try await Self.send(&answer, version: head.version, keepAlive: keepAlive, to: outbound)
                }
            } else {
                // No function's route: the index, the API description, or a JSON 404 that points at them.
                try await Self.skipBody(&parts)
                let own =
                    switch (path, head.method) {
                    case ("/", .GET): ServiceIndex.response
                    case ("/openapi.json", .GET): Self.openAPIResponse
                    default: ServiceIndex.notFound(path)
                    }
                var answer = FunctionAnswer(own)
                status = answer.status.code
                try await Self.send(&answer, version: head.version, keepAlive: head.isKeepAlive, to: outbound)
            }
        } catch {
            logAccess(head, path: path, match: match, status: status, requestID: requestID, started: started, error: error)
            throw error
        }
        logAccess(head, path: path, match: match, status: status, requestID: requestID, started: started, error: nil)
        return head.isKeepAlive && bodyRead
    }

    /// Writes the head, then each chunk as it comes, waiting while the client reads slower than
    /// the function writes. Throwing before the end closes the connection, so an answer cut
    /// short never looks complete.
    private static func send(
        _ answer: inout FunctionAnswer, version: HTTPVersion, keepAlive: Bool, to outbound: NIOAsyncChannelOutboundWriter<HTTPServerResponsePart>
    ) async throws {
        var headers = HTTPHeaders()
        for field in answer.headers { headers.add(name: field.name.rawName, value: field.value) }
        headers.replaceOrAdd(name: "server", value: "leadwire-runtime")
        headers.replaceOrAdd(name: "date", value: HTTPDate.now)
        if !keepAlive { headers.replaceOrAdd(name: "connection", value: "close") }
        try await outbound.write(.head(HTTPResponseHead(version: version, status: .init(statusCode: answer.status.code), headers: headers)))
        while let chunk = try await answer.nextChunk() {
            try await outbound.write(.body(.byteBuffer(chunk)))
        }
        try await outbound.write(.end(nil))
    }

    /// The request body, read only up to the limit: a larger body is passed on as its length
    /// alone, so the function answers 413 exactly as it would behind any host (and the connection
    /// closes after that answer, its body unread). A body the client cuts short throws: no
    /// function runs for half a request.
    private func readBody(
        head: HTTPRequestHead, headers: HTTPFields, parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator
    ) async throws -> FunctionRequest.Body {
        if let declared = headers[.contentLength].flatMap(Int.init), declared > maxBodyBytes {
            return .tooLarge(declaredLength: declared)
        }
        var bytes: [UInt8] = []
        while let part = try await parts.next() {
            switch part {
            case .body(let buffer):
                guard bytes.count + buffer.readableBytes <= maxBodyBytes else {
                    // A chunked body with no declared length that runs past the limit.
                    return .tooLarge(declaredLength: maxBodyBytes + 1)
                }
                bytes.append(contentsOf: buffer.readableBytesView)
            case .end:
                return .bytes(bytes)
            case .head:
                throw IncompleteRequest()
            }
        }
        throw IncompleteRequest()
    }

    /// Reads past the body of a request no function serves, so the connection can go on.
    private static func skipBody(_ parts: inout NIOAsyncChannelInboundStream<HTTPServerRequestPart>.AsyncIterator) async throws {
        while let part = try await parts.next() {
            if case .end = part { return }
        }
        throw IncompleteRequest()
    }

    /// The API's description (`APIDescription`), the one thing the runtime answers itself.
    private static let openAPIResponse: Response = {
        var response = Response(body: Array(APIDescription.json.utf8))
        response.headers[.contentType] = "application/json"
        return response
    }()

    /// NIO's header list as HTTPFields (what hosts and functions share). NIO's parser has
    /// already refused invalid names, so none is dropped in practice.
    private static func fields(_ headers: HTTPHeaders) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in headers {
            if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
        }
        return fields
    }

    /// Whether the request failed because the client closed its connection: before its body was
    /// complete, or while its answer was being written.
    static func isHangUp(_ error: any Error) -> Bool {
        if error is IncompleteRequest || (error as? HTTPParserError) == .invalidEOFState { return true }
        if let channelError = error as? ChannelError, channelError == .ioOnClosedChannel || channelError == .alreadyClosed { return true }
        if let ioError = error as? IOError { return [EPIPE, ECONNRESET].contains(ioError.errnoCode) }
        return false
    }

    /// One line per request, with the id the function answered (its own log lines carry it too).
    private func logAccess(
        _ head: HTTPRequestHead, path: String, match: RouteMatch?, status: Int, requestID: String?, started: Timestamp, error: (any Error)?
    ) {
        let log = requestID.map { accessLog.about(request: $0) } ?? accessLog
        if let error {
            // A client that hangs up is its own business, not the server's error.
            if Self.isHangUp(error) {
                log.info("client_disconnected", ["path": .string(path)])
            } else {
                log.error("response_aborted", ["path": .string(path), "message": .string(String(describing: error))])
            }
        }
        log.info(
            "access",
            [
                "method": .string(head.method.rawValue), "path": .string(path),
                "target": JSONValue(match?.function.name), "status": JSONValue(Int64(status)),
                "duration_ms": JSONValue(Timestamp.millisecondsSince(started)),
            ])
    }
}

/// The client ended the connection before the request's body was complete.
struct IncompleteRequest: Error, CustomStringConvertible {
    var description: String { "the client closed the connection before the request body was complete" }
}
