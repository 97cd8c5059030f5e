import ArgumentParser
import FunctionKit
import Logging
import OutboundHTTP
import ServiceLifecycle
import UnixSignals

struct Poll: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Poll a provider's log for events whose webhook was lost (the backup for lost Knowlarity hooks).",
        discussion: """
            `runtime poll knowlarity` reads Knowlarity's call log every LEADWIRE_KNOWLARITY_POLL_SECONDS (30) until \
            stopped; with --once it reads once, for cron, and exits 1 when the log could not be read (a wrong key, \
            Knowlarity down). Calls it finds go through the same processing as the hook, so a call seen by both is \
            stored and counted once.
            """)

    enum Source: String, ExpressibleByArgument, CaseIterable {
        case knowlarity
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
        let poller = KnowlarityPoller(
            settings: try KnowlarityPollSettings(environment), client: try HTTPClient(), context: context)
        if once {
            try await PollService.passWithRetries(poller, log: context.logger)
            return
        }
        var logger = Logging.Logger(label: "leadwire-poll")
        logger.logLevel = .warning
        let service = PollService(poller: poller, log: context.logger)
        try await ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)).run()
    }
}
