import Glibc
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import Synchronization

/// An HTTP/1.1 connection as the server sees it: request parts in, response parts out.
typealias HTTPConnection = NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>

/// The runtime's HTTP/1.1 server: swift-nio's own HTTP codec, one task per connection, each
/// request handed to the `FunctionResponder`. It is plain NIOHTTP1 on purpose: a web framework
/// would switch on swift-http-types' Foundation URL trait, and traits unify across the package,
/// so every function would link FoundationEssentials and start slower.
///
/// A connection that sends no request, or sends its head too slowly, is closed, and at most
/// `limits.maxConnections` are open at once (`ConnectionLimits`). On SIGTERM or SIGINT (through
/// ServiceLifecycle) it stops accepting, closes idle connections, lets every request in flight
/// finish its answer, and then returns.
struct HTTPServer: Service {
    let host: String
    let port: Int
    let responder: FunctionResponder
    var limits = ConnectionLimits()
    /// Called once the socket is bound, with the port it got (differs from `port` when that is 0).
    let onListening: @Sendable (Int) -> Void

    func run() async throws {
        let listener = try await bind()
        onListening(listener.channel.localAddress?.port ?? port)
        let connections = OpenConnections()
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await listener.executeThenClose { accepted in
                    for try await connection in accepted {
                        group.addTask {
                            // Over the cap, a connection is closed at once: the clients already
                            // connected go on being served.
                            guard connections.count < limits.maxConnections else {
                                try? await connection.executeThenClose { _, _ in }
                                return
                            }
                            let id = connections.opened(connection.channel)
                            defer { connections.closed(id) }
                            await responder.serve(connection)
                        }
                    }
                }
            }
        } onGracefulShutdown: {
            listener.channel.close(promise: nil)
            connections.quiesceAll()
        }
    }

    private func bind() async throws -> NIOAsyncChannel<HTTPConnection, Never> {
        do {
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: host, port: port) { [limits] channel in
                    channel.eventLoop.makeCompletedFuture {
                        let deadlines = ConnectionDeadlines(limits: limits)
                        try channel.pipeline.syncOperations.addHandler(FirstByteWatch(deadlines), position: .first)
                        // With error handling, a request that does not parse gets a 400 and a close.
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                        try channel.pipeline.syncOperations.addHandler(deadlines)
                        return try HTTPConnection(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw ServerStartFailure("Port \(port) on \(host) is already in use; stop what listens there or pass --port.")
        } catch let error as IOError where error.errnoCode == EACCES {
            throw ServerStartFailure("Not allowed to listen on \(host):\(port) (ports below 1024 need privileges); pass --port.")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw ServerStartFailure("\(host) is not an address of this machine; pass --host.")
        }
    }
}

/// Why the server could not start, said so a person can act on it.
struct ServerStartFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The connections being served, so a shutdown can ask each to finish: NIO's quiesce event closes
/// an idle connection at once and a busy one right after the answer it is writing.
private final class OpenConnections: Sendable {
    private struct State {
        var channels: [Int: any Channel] = [:]
        var nextID = 0
        var quiescing = false
    }
    private let state = Mutex(State())

    func opened(_ channel: any Channel) -> Int {
        let (id, quiescing) = state.withLock { state in
            state.nextID += 1
            state.channels[state.nextID] = channel
            return (state.nextID, state.quiescing)
        }
        if quiescing { Self.quiesce(channel) }
        return id
    }

    var count: Int { state.withLock { $0.channels.count } }

    func closed(_ id: Int) {
        _ = state.withLock { $0.channels.removeValue(forKey: id) }
    }

    func quiesceAll() {
        let channels = state.withLock { state in
            state.quiescing = true
            return Array(state.channels.values)
        }
        channels.forEach(Self.quiesce)
    }

    private static func quiesce(_ channel: any Channel) {
        channel.pipeline.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
    }
}
