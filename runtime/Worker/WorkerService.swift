import Foundation
import FunctionKit
import LeadwireStore
import NIOPosix
import ServiceLifecycle
import Synchronization

/// The worker as a service: `runtime worker` runs it alone, `runtime serve` beside the HTTP
/// server. On SIGTERM it finishes the deliveries in flight, records them, and stops.
struct WorkerService: Service {
    let openDatabase: @Sendable () throws -> Database
    let settings: WorkerSettings
    let log: Logger
    /// Drain what is due, then return (`runtime worker --once`, for cron).
    var once = false

    func run() async throws {
        let courier = Courier(poster: try HTTPPoster(group: MultiThreadedEventLoopGroup.singleton), settings: settings)
        let worker = DeliveryWorker(database: try openDatabase(), courier: courier, settings: settings, log: log, owner: Self.owner())
        if settings.sealingKey == nil {
            log.info("webhooks_waiting", ["message": "LEADWIRE_SECRET_KEY is not set: webhook messages wait in the outbox until it is"])
        }
        if settings.telegram == nil {
            log.info("telegram_waiting", ["message": "LEADWIRE_TELEGRAM_BOT_TOKEN and LEADWIRE_TELEGRAM_CHAT_ID are not set: Telegram notices wait in the outbox"])
        }
        if once {
            let totals = try await worker.drain()
            log.info(
                "worker_drained",
                ["delivered": JSONValue(Int64(totals.delivered)), "retrying": JSONValue(Int64(totals.retrying)), "failed": JSONValue(Int64(totals.failed))])
            return
        }
        let stopping = StopFlag()
        try await withGracefulShutdownHandler {
            while !stopping.isSet {
                if try await worker.drain().attempts > 0 { continue }
                // Idle: look again after the poll interval, in short steps so a stop is quick.
                for _ in 0..<max(1, settings.pollMilliseconds / 50) where !stopping.isSet {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    /// Who holds a lease: host, process and a random part, so two workers never share a name.
    static func owner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(Identifiers.randomHex(byteCount: 4))"
    }
}

/// Set once, from the shutdown handler; read by the loop.
final class StopFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
