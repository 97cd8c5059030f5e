import ArgumentParser
import FunctionKit
import Logging
import OutboundHTTP
import ServiceLifecycle
import UnixSignals

struct Poll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll a provider for events whose webhook was lost (the backup for lost Knowlarity and amoCRM hooks).",
        discussion: """
            `runtime poll knowlarity` reads Knowlarity's call log every LEADWIRE_KNOWLARITY_POLL_SECONDS (30); \
            `runtime poll amocrm` reads each connected amoCRM account's won deals every LEADWIRE_AMOCRM_POLL_SECONDS \
            (300), through its OAuth connection, until stopped. With --once either reads once, for cron, and exits 1 \
            when the provider could not be read (a wrong key, the provider down). What it finds goes through the same \
            processing as the hook, so an event seen by both is stored and counted once.
            """)

    enum Source: String, ExpressibleByArgument, CaseIterable {
        case knowlarity, amocrm
    }

    @Argument(help: "What to poll: \(Source.allCases.map(\.rawValue).joined(separator: ", ")).")
    var source: Source

    @Flag(help: "Read the log once, then exit (for a cron job).")
    var once = false

    @OptionGroup var options: RuntimeOptions

    func run() async throws {
        _ = try options.migrate()
        let environment = Environment(options.functionSettings())
        let context = FunctionContext(functionName: "poll", environment: environment, logger: FunctionKit.Logger(function: "poll", sink: standardOutputLine))
        switch source {
        case .knowlarity:
            try await run(KnowlarityPoller(settings: try KnowlarityPollSettings(environment), client: try HTTPClient(), context: context), log: context.logger)
        case .amocrm:
            // The connection is checked now, so a misconfiguration stops the command at once.
            _ = try AmoCRMClients.kommoClient(environment, context: context)
            try await run(AmoCRMPoller(settings: try AmoCRMPollSettings(environment), context: context), log: context.logger)
        }
    }

    private func run<P: Poller>(_ poller: P, log: FunctionKit.Logger) async throws {
        if once {
            try await PollService.passWithRetries(poller, log: log)
            return
        }
        var logger = Logging.Logger(label: "leadwire-poll")
        logger.logLevel = .warning
        let service = PollService(poller: poller, log: log)
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}
