import ArgumentParser
import Foundation
import FunctionKit
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle
import Synchronization
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve every function over HTTP on this machine, one process per request, as a CGI host would.")

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (default: $LEADWIRE_PORT, else 8080; 0 picks a free one).")
    var port: Int?

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        let version = try options.migrate()
        let environment = Environment(options.environment)
        let port = try port ?? environment.integer("LEADWIRE_PORT", default: 8080)
        let host = FunctionHost(
            functionsDirectory: options.functionsDirectory, settings: options.functionSettings(), timeout: try options.functionTimeout(),
            slots: try options.processSlots())
        let responder = FunctionResponder(
            host: host, maxBodyBytes: try FunctionSettings(environment).maxBodyBytes,
            accessLog: FunctionKit.Logger(function: "runtime", sink: standardOutputLine))
        let address = self.host
        let databasePath = options.databasePath

        var logger = Logging.Logger(label: "leadwire-runtime")
        logger.logLevel = .warning
        let server = try HTTPServerBuilder.http1().buildServer(
            configuration: ServerConfiguration(address: .hostname(address, port: port), serverName: "leadwire-runtime"),
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton, logger: logger,
            responder: { request, writer, _ in try await responder.respond(to: request, writer: writer) },
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? port
                responder.boundPort.store(boundPort, ordering: .relaxed)
                standardOutputLine(
                    "Leadwire runtime listening on http://\(address):\(boundPort) (database \(databasePath), schema \(version), "
                        + "functions from \(host.functionsDirectory.path), at most \(host.slots.limit) at once)")
            })
        let services = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await services.run()
    }
}

/// Access-log and status lines go to stdout, one a line, flushed at once so a supervisor (or a
/// test waiting for "listening on") sees them immediately.
let standardOutputLine: @Sendable (String) -> Void = { line in
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
