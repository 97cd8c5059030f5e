import FunctionKit
public import OutboundURLCheck
import NIOCore
public import HTTPTypes
import NIOHTTP1
import NIOPosix
import NIOSSL

/// One request to a checked address, on its own connection (a webhook POST, a call-log GET, a
/// Kommo API call): HTTP/1.1 over plain NIO, with TLS from swift-nio-ssl for https (the host
/// name checked against the certificate). Connecting and answering share one deadline; the
/// answer's body is read up to `maxBodyBytes` and the rest dropped. Redirects are answers like
/// any other (never followed).
///
/// The worker awaits `send`; a function's handler, which is synchronous, calls `sendBlocking`
/// (the exchange runs on NIO's own threads, so blocking the caller cannot starve it).
public struct HTTPClient: Sendable {
    let group: any EventLoopGroup
    let tls: NIOSSLContext
    public static let excerptBytes = 1024

    /// A client on NIO's shared event loops, with the system's trusted certificates.
    public init() throws {
        group = MultiThreadedEventLoopGroup.singleton
        tls = try NIOSSLContext(configuration: .makeClientConfiguration())
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
        let eventLoop = group.next()
        let socketAddress: SocketAddress
        do {
            socketAddress = try SocketAddress(ipAddress: address.text, port: address.port)
        } catch {
            return eventLoop.makeFailedFuture(error)
        }
        let answer = eventLoop.makePromise(of: Answer.self)
        // One deadline for connecting and answering together.
        let deadline = eventLoop.scheduleTask(in: .milliseconds(timeoutMilliseconds)) {
            answer.fail(Failure(description: "no answer within \(timeoutMilliseconds) ms"))
        }
        let hostIsName = (try? SocketAddress(ipAddress: url.host, port: 0)) == nil
        let tls = url.isSecure ? self.tls : nil
        let serverName = hostIsName ? url.host : nil
        let head = Self.head(method, url: url, bodyCount: body.count, extra: extra)

        ClientBootstrap(group: eventLoop)
            .connectTimeout(.milliseconds(timeoutMilliseconds))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(AnswerReader(answer: answer, maxBodyBytes: maxBodyBytes))
                }
            }
            .connect(to: socketAddress)
            .whenComplete { connected in
                switch connected {
                case .failure(let error):
                    answer.fail(error)
                case .success(let channel):
                    // Whatever ends the exchange (answer, error, deadline) closes the connection.
                    answer.futureResult.whenComplete { _ in channel.close(promise: nil) }
                    // A receiver may answer before reading the whole body and close: its answer
                    // counts, so write failures are left to the reader to report.
                    channel.write(HTTPClientRequestPart.head(head), promise: nil)
                    if !body.isEmpty { channel.write(HTTPClientRequestPart.body(.byteBuffer(ByteBuffer(bytes: body))), promise: nil) }
                    channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
                }
            }
        answer.futureResult.whenComplete { _ in deadline.cancel() }
        return answer.futureResult
    }

    private static func head(_ method: HTTPRequest.Method, url: OutboundURL, bodyCount: Int, extra: [(String, String)]) -> HTTPRequestHead {
        var headers = HTTPHeaders()
        let defaultPort = url.isSecure ? 443 : 80
        let host = url.host.contains(":") ? "[\(url.host)]" : url.host  // an IPv6 address goes in brackets
        headers.add(name: "Host", value: url.port == defaultPort ? host : "\(host):\(url.port)")
        if method == .post || method == .put || method == .patch || bodyCount > 0 { headers.add(name: "Content-Length", value: String(bodyCount)) }
        headers.add(name: "Connection", value: "close")
        for (name, value) in extra { headers.add(name: name, value: value) }
        return HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method.rawValue), uri: url.target, headers: headers)
    }
}

/// Collects one answer (head, body up to the limit, end) into the exchange's promise; the
/// connection closing first fails it. Runs on the connection's event loop only.
private final class AnswerReader: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    let answer: EventLoopPromise<HTTPClient.Answer>
    let maxBodyBytes: Int
    var received: HTTPClient.Answer?

    init(answer: EventLoopPromise<HTTPClient.Answer>, maxBodyBytes: Int) {
        self.answer = answer
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let response):
            var fields = HTTPFields()
            for (name, value) in response.headers {
                if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
            }
            received = HTTPClient.Answer(status: Int(response.status.code), headers: fields, body: [])
        case .body(let buffer):
            let room = maxBodyBytes - (received?.body.count ?? 0)
            if room > 0 { received?.body += buffer.readableBytesView.prefix(room) }
        case .end:
            // An interim answer (100 Continue) has no end of its own; only a final one completes.
            if let received { answer.succeed(received) }
        }
    }

    // A promise completes once; whichever of these comes after the answer changes nothing.
    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        answer.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        answer.fail(HTTPClient.Failure(description: "the connection closed before a whole answer"))
        context.fireChannelInactive()
    }
}
