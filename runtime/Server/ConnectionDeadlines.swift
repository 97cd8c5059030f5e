import FunctionKit
import NIOCore
import NIOHTTP1

/// How long a client may keep a connection without giving the server a request, and how many
/// connections may be open at once: settings with defaults (LEADWIRE_IDLE_TIMEOUT_MS,
/// LEADWIRE_HEADER_TIMEOUT_MS, LEADWIRE_MAX_CONNECTIONS), so a few clients that send a byte a
/// second, or never send at all, cannot hold the server.
struct ConnectionLimits: Sendable {
    /// From the connection's start, or the end of its last answer, to the first byte of a request.
    var idleTimeout: TimeAmount = .seconds(60)
    /// From a request's first byte to the end of its head (request line and headers).
    var headerTimeout: TimeAmount = .seconds(10)
    var maxConnections = 1024

    init() {}

    init(_ environment: Environment) throws(ConfigurationError) {
        idleTimeout = .milliseconds(Int64(try environment.integer("LEADWIRE_IDLE_TIMEOUT_MS", default: 60_000)))
        headerTimeout = .milliseconds(Int64(try environment.integer("LEADWIRE_HEADER_TIMEOUT_MS", default: 10_000)))
        maxConnections = try environment.integer("LEADWIRE_MAX_CONNECTIONS", default: 1024)
    }
}

/// Closes a connection that owes the server a request past its deadline: `idleTimeout` while
/// no request has started, `headerTimeout` once one has, until its head is complete. While a
/// request is being answered there is no deadline here (the function's own timeout applies).
/// It sits after the HTTP decoder; `FirstByteWatch`, before it, says when a request starts.
final class ConnectionDeadlines: ChannelDuplexHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    private enum State { case waitingForRequest, readingHead, answering }

    private let limits: ConnectionLimits
    private var state = State.waitingForRequest
    private var deadline: Scheduled<Void>?

    init(limits: ConnectionLimits) { self.limits = limits }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(limits.idleTimeout, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(limits.idleTimeout, context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) { deadline?.cancel() }

    /// Bytes arrived (from `FirstByteWatch`): a request has started.
    func requestStarted(context: ChannelHandlerContext) {
        guard state == .waitingForRequest else { return }
        state = .readingHead
        arm(limits.headerTimeout, context: context)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            state = .answering
            deadline?.cancel()
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data), state == .answering {
            state = .waitingForRequest
            arm(limits.idleTimeout, context: context)
        }
        context.write(data, promise: promise)
    }

    private func arm(_ timeout: TimeAmount, context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: timeout) { channel.close(promise: nil) }
    }
}

/// Before the HTTP decoder: tells `ConnectionDeadlines` when the bytes of a request begin.
final class FirstByteWatch: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let deadlines: ConnectionDeadlines
    private var deadlinesContext: ChannelHandlerContext?

    init(_ deadlines: ConnectionDeadlines) { self.deadlines = deadlines }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if deadlinesContext == nil { deadlinesContext = try? context.pipeline.syncOperations.context(handler: deadlines) }
        if let deadlinesContext { deadlines.requestStarted(context: deadlinesContext) }
        context.fireChannelRead(data)
    }
}
