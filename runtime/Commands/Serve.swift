import Synchronization
import ArgumentParser
import Foundation
import FunctionKit
import Hummingbird
import Logging

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
        let maxBodyBytes = try FunctionSettings(environment).maxBodyBytes
        let functionsDirectory = options.functionsDirectory
        let settings = options.functionSettings()
        let timeout = try options.functionTimeout()
        let databasePath = options.databasePath

        var hummingbirdLogger = Logging.Logger(label: "leadwire-runtime")
        hummingbirdLogger.logLevel = .warning
        let app = Application(
            responder: FunctionResponder(
                hostFactory: { boundPort in
                    FunctionHost(functionsDirectory: functionsDirectory, settings: settings, timeout: timeout, serverPort: boundPort)
                },
                maxBodyBytes: maxBodyBytes, accessLog: FunctionKit.Logger(function: "runtime", sink: standardOutputLine)),
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "leadwire-runtime"),
            onServerRunning: { channel in
                let boundPort = channel.localAddress?.port ?? port
                BoundPort.value.withLock { $0 = boundPort }
                standardOutputLine(
                    "Leadwire runtime listening on http://\(host):\(boundPort) (database \(databasePath), schema \(version), functions from \(functionsDirectory.path))"
                )
            },
            logger: hummingbirdLogger)
        try await app.runService()
    }
}

/// Access-log and status lines go to stdout, one a line, flushed at once so a supervisor (or a
/// test waiting for "listening on") sees them immediately.
let standardOutputLine: @Sendable (String) -> Void = { line in
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
