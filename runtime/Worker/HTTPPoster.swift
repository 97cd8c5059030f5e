import FunctionKit
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Outbound

/// One request to a checked address, on its own connection (a webhook POST, a call-log GET):
/// HTTP/1.1 over plain
/// NIO (with TLS from swift-nio-ssl for https, the host name checked against the certificate).
/// Connecting and answering share one deadline (`timeoutMs`); the answer's body is read up to
/// `maxBodyBytes` (a webhook keeps an excerpt) and the rest dropped. Redirects are answers like
/// any other (never followed).
struct HTTPPoster: Sendable {
    let group: any EventLoopGroup
    let tls: NIOSSLContext
    static let excerptBytes = 1024

    init(group: any EventLoopGroup) throws {
        self.group = group
        tls = try NIOSSLContext(configuration: .makeClientConfiguration())
    }

    struct Answer: Sendable {
        var status: Int
        var headers: HTTPHeaders
        /// The body, up to the `maxBodyBytes` asked for.
        var excerpt: [UInt8]

        /// `Retry-After` in seconds, when the answer gave one.
        var retryAfterSeconds: Int64? { headers.first(name: "Retry-After").flatMap { Int64($0.trimmingSpaces) } }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Tries the checked addresses in turn until one takes the connection. An answer that came
    /// too late or broke off ends it there: the next address would get the request again.
    func send(
        _ method: HTTPMethod = .POST, to url: SubscriberURL, atFirstOf addresses: [ResolvedAddress], headers: [(String, String)],
        body: [UInt8] = [], timeoutMilliseconds: Int64, maxBodyBytes: Int = excerptBytes
    ) async throws -> Answer {
        var lastError: any Error = Failure(description: "\(url.host) has no address")
        for address in addresses {
            do {
                return try await send(
                    method, to: url, at: address, headers: headers, body: body, timeoutMilliseconds: timeoutMilliseconds, maxBodyBytes: maxBodyBytes)
            } catch let error as Failure {
                throw error
            } catch {
                lastError = error
            }
        }
        throw lastError
    }

    func send(
        _ method: HTTPMethod = .POST, to url: SubscriberURL, at address: ResolvedAddress, headers extra: [(String, String)], body: [UInt8] = [],
        timeoutMilliseconds: Int64, maxBodyBytes: Int = excerptBytes
    ) async throws -> Answer {
        // One deadline for connecting and answering together.
        let deadlineNanoseconds = NIODeadline.now().uptimeNanoseconds + UInt64(timeoutMilliseconds) * 1_000_000
        let socketAddress = try SocketAddress(ipAddress: address.text, port: address.port)
        let hostIsName = (try? SocketAddress(ipAddress: url.host, port: 0)) == nil
        let tls = url.isSecure ? self.tls : nil
        let serverName = hostIsName ? url.host : nil
        let channel = try await ClientBootstrap(group: group)
            .connectTimeout(.milliseconds(timeoutMilliseconds))
            .connect(to: socketAddress) { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        var headers = HTTPHeaders()
        let defaultPort = url.isSecure ? 443 : 80
        let host = url.host.contains(":") ? "[\(url.host)]" : url.host  // an IPv6 address goes in brackets
        headers.add(name: "Host", value: url.port == defaultPort ? host : "\(host):\(url.port)")
        if method == .POST || !body.isEmpty { headers.add(name: "Content-Length", value: String(body.count)) }
        headers.add(name: "Connection", value: "close")
        for (name, value) in extra { headers.add(name: name, value: value) }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: url.target, headers: headers)

        // Past the deadline the event loop closes the connection, which ends the exchange below.
        let timedOut = AtomicFlag()
        let timer = channel.channel.eventLoop.scheduleTask(deadline: .uptimeNanoseconds(deadlineNanoseconds)) {
            timedOut.set()
            channel.channel.close(promise: nil)
        }
        defer { timer.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                // A receiver may answer before reading the whole body and close: its answer counts.
                var writeError: (any Error)?
                do {
                    try await outbound.write(.head(head))
                    if !body.isEmpty { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
                    try await outbound.write(.end(nil))
                } catch {
                    writeError = error
                }
                var answer: Answer?
                for try await part in inbound {
                    switch part {
                    case .head(let response):
                        answer = Answer(status: Int(response.status.code), headers: response.headers, excerpt: [])
                    case .body(let buffer):
                        let room = maxBodyBytes - (answer?.excerpt.count ?? 0)
                        if room > 0 { answer?.excerpt += buffer.readableBytesView.prefix(room) }
                    case .end:
                        if let answer { return answer }
                    }
                }
                throw writeError ?? Failure(description: "the connection closed before a whole answer")
            }
        } catch {
            if timedOut.isSet { throw Failure(description: "no answer within \(timeoutMilliseconds) ms") }
            throw error
        }
    }
}
