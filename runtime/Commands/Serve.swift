import ArgumentParser
import Foundation
import FunctionKit
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve every function over HTTP on this machine, as a production host would.",
        discussion: """
            By default each function runs as LEADWIRE_POOL_PROCESSES long-lived FastCGI processes, started on first \
            use and restarted if one dies. With --cgi, each request runs in a fresh process, as a CGI server does.
            """)

    @Option(help: "Address to listen on.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on (default: $LEADWIRE_PORT, else 8080; 0 picks a free one).")
    var port: Int?

    @Flag(help: "Start a process per request (CGI) instead of keeping FastCGI processes.")
    var cgi = false

    @Flag(help: "Do not deliver queued outbound webhooks and Telegram notices here (run `runtime worker` apart instead).")
    var noWorker = false

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var functions: FunctionsOptions

    func run() async throws {
        let version = try options.migrate()
        let environment = Environment(options.environment.merging(options.developmentKey) { $1 })
        let port = try port ?? environment.integer("LEADWIRE_PORT", default: 8080)
        let log = FunctionKit.Logger(function: "runtime", sink: standardOutputLine)
        var settings = options.functionSettings().merging(options.developmentKey) { $1 }
        let opened = DevelopmentIntake.open(&settings, listeningOn: host)
        let runner: any FunctionRunner
        let pools: FastCGIPools?
        let mode: String
        if cgi {
            let slots = try options.processSlots()
            runner = CGIFunctionHost(
                functionsDirectory: functions.functionsDirectory(environment: options.environment), settings: settings, timeout: try options.functionTimeout(),
                slots: slots)
            pools = nil
            mode = "a process per request, at most \(slots.limit) at once"
        } else {
            let created = try options.fastCGIPools(functionsDirectory: functions.functionsDirectory(environment: options.environment), settings: settings, log: log)
            runner = created
            pools = created
            mode = "FastCGI, \(created.processesPerFunction) processes per function"
        }
        let responder = FunctionResponder(runner: runner, maxBodyBytes: try FunctionSettings(environment).maxBodyBytes, accessLog: log)
        let address = self.host
        let databasePath = options.storeDescription
        let functionsDirectory = functions.functionsDirectory(environment: options.environment).path

        let server = HTTPServer(host: address, port: port, responder: responder, limits: try ConnectionLimits(environment)) { boundPort in
            responder.boundPort.store(boundPort, ordering: .relaxed)
            standardOutputLine(
                "Leadwire runtime listening on http://\(address):\(boundPort) (database \(databasePath), schema \(version), "
                    + "functions from \(functionsDirectory), \(mode)\(noWorker ? "" : ", delivering outbound messages"))")
            if let notice = DevelopmentIntake.notice(opened) { standardOutputLine(notice) }
        }
        var logger = Logging.Logger(label: "leadwire-runtime")
        logger.logLevel = .warning
        var services: [any Service] = [server]
        if !noWorker {
            let options = self.options
            services.append(
                WorkerService(
                    openDatabase: { try options.openDatabase() }, settings: try WorkerSettings(environment),
                    log: FunctionKit.Logger(function: "worker", sink: standardOutputLine)))
        }
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        await pools?.stop()
    }
}

/// Access-log and status lines go to stdout, one a line, flushed at once so a supervisor (or a
/// test waiting for "listening on") sees them immediately.
let standardOutputLine: @Sendable (String) -> Void = { line in
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
