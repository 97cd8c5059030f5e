import FunctionKit
public import OutboundURLCheck
import NIOCore
public import HTTPTypes
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request to a checked address (a webhook POST, a call-log GET, a Kommo API call):
/// HTTP/1.1 over plain NIO, with TLS from swift-nio-ssl for https (the host name checked against
/// the certificate). Connecting and answering share one deadline; the answer's body is read up
/// to `maxBodyBytes` and the rest dropped. Redirects are answers like any other (never followed).
///
/// A client made with `keepingConnections` (the outbound worker's) keeps a connection open
/// after a whole answer that did not ask to close it, and sends the next request to the same
/// checked address, port and TLS name on it (see `KeptConnections`): deliveries to one
/// subscriber then cost no connection and no TLS handshake each. Any other client sends
/// `Connection: close` and connects per request.
///
/// The worker awaits `send`; a function's handler, which is synchronous, calls `sendBlocking`
/// (the exchange runs on NIO's own threads, so blocking the caller cannot starve it).
public struct HTTPClient: Sendable {
    let group: any EventLoopGroup
    let tls: NIOSSLContext
    /// Open connections waiting for the next request, when this client keeps them.
    let kept: KeptConnections?
    public static let excerptBytes = 1024

    /// A client on NIO's shared event loops, with the system's trusted certificates.
    public init(keepingConnections: Bool = false) throws {
        group = MultiThreadedEventLoopGroup.singleton
        tls = try NIOSSLContext(configuration: .makeClientConfiguration())
        kept = keepingConnections ? KeptConnections() : nil
    }

    public struct Answer: Sendable {
        public var status: Int
        public var headers: HTTPFields
        /// The body, up to the `maxBodyBytes` asked for.
        public var body: [UInt8]

        /// `Retry-After` in seconds, when the answer gave one.
        public var retryAfterSeconds: Int64? { headers[.retryAfter].flatMap { Int64($0.trimmingSpaces) } }
        public var bodyText: String { String(decoding: body, as: UTF8.self) }
    }

    /// The exchange failed in a way worth saying as is (a timeout, a connection that closed early).
    public struct Failure: Error, CustomStringConvertible {
        public let description: String
        /// The connection closed before any of an answer arrived.
        var closedBeforeAnswer = false
    }

    /// Tries the checked addresses in turn until one takes the connection. An answer that came
    /// too late or broke off ends it there: the next address would get the request again.
    public func send(
        _ method: HTTPRequest.Method = .post, to url: OutboundURL, atFirstOf addresses: [ResolvedAddress], headers: [(String, String)],
        body: [UInt8] = [], timeoutMilliseconds: Int64, maxBodyBytes: Int = excerptBytes
    ) async throws -> Answer {
        var lastError: any Error = Failure(description: "\(url.host) has no address")
        for address in addresses {
            do {
                return try await exchange(
                    method, to: url, at: address, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds, maxBodyBytes: maxBodyBytes
                ).get()
            } catch let error as Failure {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    /// `send`, waiting on the calling thread.
    public func sendBlocking(
        _ method: HTTPRequest.Method = .post, to url: OutboundURL, atFirstOf addresses: [ResolvedAddress], headers: [(String, String)],
        body: [UInt8] = [], timeoutMilliseconds: Int64, maxBodyBytes: Int = excerptBytes
    ) throws -> Answer {
        var lastError: any Error = Failure(description: "\(url.host) has no address")
        for address in addresses {
            do {
                return try exchange(
                    method, to: url, at: address, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds, maxBodyBytes: maxBodyBytes
                ).wait()
            } catch let error as Failure {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    func exchange(
        _ method: HTTPRequest.Method, to url: OutboundURL, at address: ResolvedAddress, headers extra: [(String, String)], body: [UInt8],
        timeoutMilliseconds: Int64, maxBodyBytes: Int
    ) -> EventLoopFuture<Answer> {
        let destination = KeptConnections.Destination(address: address.text, port: address.port, secure: url.isSecure, host: url.host)
        let head = Self.head(method, url: url, bodyCount: body.count, extra: extra, keepAlive: kept != nil)
        // One deadline for connecting and answering together.
        let deadline = Deadline(at: .now() + .milliseconds(timeoutMilliseconds), milliseconds: timeoutMilliseconds)
        if let reused = kept?.take(destination) {
            // A kept connection the receiver closed meanwhile fails before any answer: then the
            // request goes again on a new connection (nothing of it was answered).
            let eventLoop = reused.channel.eventLoop
            return send(head, body: body, on: reused, to: destination, deadline: deadline, maxBodyBytes: maxBodyBytes)
                .flatMapError { error in
                    guard let failure = error as? Failure, failure.closedBeforeAnswer else { return eventLoop.makeFailedFuture(error) }
                    return self.connect(head, body: body, to: destination, url: url, deadline: deadline, maxBodyBytes: maxBodyBytes)
                }
        }
        return connect(head, body: body, to: destination, url: url, deadline: deadline, maxBodyBytes: maxBodyBytes)
    }

    /// When the exchange must be over, and the timeout it came from (for the message).
    private struct Deadline {
        let at: NIODeadline
        let milliseconds: Int64
    }

    /// The exchange on a new connection.
    private func connect(
        _ head: HTTPRequestHead, body: [UInt8], to destination: KeptConnections.Destination, url: OutboundURL, deadline: Deadline,
        maxBodyBytes: Int
    ) -> EventLoopFuture<Answer> {
        let eventLoop = group.next()
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(ipAddress: destination.address, port: destination.port)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let hostIsName = (try? SocketAddress(ipAddress: url.host, port: 0)) == nil
        let tls = url.isSecure ? self.tls : nil
        let serverName = hostIsName ? url.host : nil
        let reader = AnswerReader()
        return ClientBootstrap(group: eventLoop)
            .connectTimeout(max(.milliseconds(1), deadline.at - .now()))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(reader)
                }
            }
            .connect(to: socketAddress)
            .flatMap { channel in
                self.send(
                    head, body: body, on: KeptConnections.Connection(channel: channel, reader: reader), to: destination, deadline: deadline,
                    maxBodyBytes: maxBodyBytes)
            }
    }

    /// Sends the request on a connection and reads its answer. The connection is kept for the
    /// next request when the answer was whole and said nothing against it; anything else (an
    /// error, the deadline, `Connection: close`) closes it.
    private func send(
        _ head: HTTPRequestHead, body: [UInt8], on connection: KeptConnections.Connection, to destination: KeptConnections.Destination,
        deadline: Deadline, maxBodyBytes: Int
    ) -> EventLoopFuture<Answer> {
        let channel = connection.channel
        let answer = channel.eventLoop.makePromise(of: Answer.self)
        let timer = channel.eventLoop.scheduleTask(deadline: deadline.at) {
            answer.fail(Failure(description: "no answer within \(deadline.milliseconds) ms"))
        }
        channel.eventLoop.execute {
            connection.reader.expect(answer, maxBodyBytes: maxBodyBytes)
            // A receiver may answer before reading the whole body and close: its answer
            // counts, so write failures are left to the reader to report.
            channel.write(HTTPClientRequestPart.head(head), promise: nil)
            if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
            channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        }
        answer.futureResult.whenComplete { result in
            timer.cancel()
            if case .success = result, let kept = self.kept, connection.reader.mayKeepConnection {
                kept.put(connection, for: destination)
            } else {
                channel.close(promise: nil)
            }
        }
        return answer.futureResult
    }

    private static func head(_ method: HTTPRequest.Method, url: OutboundURL, bodyCount: Int, extra: [(String, String)], keepAlive: Bool)
        -> HTTPRequestHead
    {
        var headers = HTTPHeaders()
        let defaultPort = url.isSecure ? 443 : 80
        let host = url.host.contains(":") ? "[\(url.host)]" : url.host  // an IPv6 address goes in brackets
        headers.add(name: "Host", value: url.port == defaultPort ? host : "\(host):\(url.port)")
        if method == .post || method == .put || method == .patch || bodyCount > 0 { headers.add(name: "Content-Length", value: String(bodyCount)) }
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        for (name, value) in extra { headers.add(name: name, value: value) }
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.rawValue), uri: url.target, headers: headers)
    }
}

/// Collects one answer at a time (head, body up to the limit, end) into the exchange's
/// promise; the connection closing first fails it. Runs on the connection's event loop only,
/// which is what makes it safe to hand between exchanges (`@unchecked Sendable`).
final class AnswerReader: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = HTTPClientResponsePart
    private var answer: EventLoopPromise<HTTPClient.Answer>?
    private var maxBodyBytes = 0
    private var received: HTTPClient.Answer?
    /// Whether the last answer was whole and left the connection open for another request.
    private(set) var mayKeepConnection = false

    /// The next answer on the connection goes to `promise`.
    func expect(_ promise: EventLoopPromise<HTTPClient.Answer>, maxBodyBytes: Int) {
        answer = promise
        self.maxBodyBytes = maxBodyBytes
        received = nil
        mayKeepConnection = false
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            var fields = HTTPFields()
            for (name, value) in response.headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            received = HTTPClient.Answer(status: Int(response.status.code), headers: fields, body: [])
            mayKeepConnection = response.isKeepAlive
        case .body(let buffer):
            let room = maxBodyBytes - (received?.body.count ?? 0)
            if room > 0 { received?.body += buffer.readableBytesView.prefix(room) }
        case .end:
            // An interim answer (100 Continue) has no end of its own; only a final one completes.
            if let received {
                answer?.succeed(received)
                answer = nil
            }
        }
    }

    // A promise completes once; whichever of these comes after the answer changes nothing.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        mayKeepConnection = false
        answer?.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        mayKeepConnection = false
        answer?.fail(HTTPClient.Failure(description: "the connection closed before a whole answer", closedBeforeAnswer: received == nil))
        context.fireChannelInactive()
    }
}
