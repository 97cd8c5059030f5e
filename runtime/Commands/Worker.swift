import ArgumentParser
import FunctionKit
import Logging
import ServiceLifecycle
import UnixSignals

struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Deliver queued outbound webhooks and Telegram notices, until stopped (or once, for cron).",
        discussion: """
            Several workers can share one database: each claims messages under a 60-second lease, and a worker \
            killed mid-delivery leaves its messages to another when the lease ends. `runtime serve` runs one too \
            unless given --no-worker. Logs one JSON line per failed or retried attempt on stdout.
            """)

    @Flag(help: "Deliver what is due now, then exit (for a cron job).")
    var once = false

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        _ = try options.openExistingDatabase()
        let options = self.options
        let service = WorkerService(
            openDatabase: { try options.openDatabase() }, settings: try WorkerSettings(Environment(options.environment.merging(options.developmentKey) { $1 })),
            log: FunctionKit.Logger(function: "worker", sink: standardOutputLine), once: once, requiresKey: true)
        if once { return try await service.run() }
        var logger = Logging.Logger(label: "leadwire-worker")
        logger.logLevel = .warning
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}
