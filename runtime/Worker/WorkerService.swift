import Foundation
import FunctionKit
import LeadwireStore
import OutboundHTTP
import ServiceLifecycle
import Synchronization

/// The worker as a service: `runtime worker` runs it alone, `runtime serve` beside the HTTP
/// server. On SIGTERM it finishes the deliveries in flight, records them, and stops.
struct WorkerService: Service, CustomStringConvertible {
    let openDatabase: @Sendable () throws -> Database
    let settings: WorkerSettings
    let log: Logger
    /// Drain what is due, then return (`runtime worker --once`, for cron).
    var once = false
    /// Stop at start, with the reason, when subscriptions exist but LEADWIRE_SECRET_KEY is not
    /// set (`runtime worker`: a worker that can never sign should not look healthy). `runtime
    /// serve` only warns: it has inbound webhooks to answer.
    var requiresKey = false

    /// What ServiceLifecycle prints about it: nothing of its settings (they hold secrets).
    var description: String { "the outbound worker" }

    struct MissingKey: Error, CustomStringConvertible {
        let description = "LEADWIRE_SECRET_KEY is not set, and webhook subscriptions exist: their secrets cannot be opened to sign deliveries. Set it to the key the subscriptions were created with."
    }

    func run() async throws {
        let client = try HTTPClient(keepingConnections: true)
        var widgetReplies: WidgetReplies?
        if let key = settings.sealingKey, let kommo = settings.kommo {
            widgetReplies = WidgetReplies(settings: settings.widget, kommo: kommo, key: key, client: client, openDatabase: openDatabase, log: log)
        }
        let courier = Courier(client: client, settings: settings, widgetReplies: widgetReplies)
        let database = try openDatabase()
        let worker = DeliveryWorker(database: database, courier: courier, settings: settings, log: log, owner: Self.owner())
        if settings.sealingKey == nil, try database.queryRow("SELECT 1 FROM webhook_subscriptions LIMIT 1") != nil {
            if requiresKey { throw MissingKey() }
            log.error("webhooks_waiting", ["message": .string(MissingKey().description + " Webhook messages wait in the outbox.")])
        }
        if settings.telegram == nil {
            log.info("telegram_waiting", ["message": "LEADWIRE_TELEGRAM_BOT_TOKEN and LEADWIRE_TELEGRAM_CHAT_ID are not set: Telegram notices wait in the outbox"])
        }
        if widgetReplies == nil {
            log.info("widget_replies_waiting", ["message": "LEADWIRE_KOMMO_CLIENT_ID (with its secret and redirect URI) and LEADWIRE_SECRET_KEY are needed to send widget replies: they wait in the outbox"])
        }
        log.info("worker_started", ["topics": .array(settings.topics.map { .string($0) }), "concurrency": JSONValue(Int64(settings.concurrency))])
        let alerts = AlertMonitor(rules: AlertRules(settings: settings.alerts, sendableTopics: settings.topics), telegram: settings.telegram != nil, log: log)
        if once {
            checkAlerts(alerts, database)
            let totals = try await worker.drain()
            log.info(
                "worker_drained",
                ["delivered": JSONValue(Int64(totals.delivered)), "retrying": JSONValue(Int64(totals.retrying)), "failed": JSONValue(Int64(totals.failed))])
            return
        }
        let stopping = AtomicFlag()
        var nextAlertCheck = ContinuousClock.now
        try await withGracefulShutdownHandler {
            while !stopping.isSet {
                if ContinuousClock.now >= nextAlertCheck {
                    checkAlerts(alerts, database)
                    nextAlertCheck = .now + .seconds(settings.alerts.checkSeconds)
                }
                do {
                    if try await worker.drain(stopping: stopping).attempts > 0 { continue }
                } catch is CancellationError {
                    throw CancellationError()
                } catch {
                    // A store that cannot answer now (locked past LEADWIRE_BUSY_TIMEOUT_MS, a
                    // PostgreSQL restart) is tried again after the poll interval; it must not
                    // stop `runtime serve`'s HTTP server with it. A delivery whose result could
                    // not be recorded goes again when its lease ends, with the same webhook-id.
                    log.error("worker_store_error", ["message": .string(String(describing: error))])
                }
                // Idle: look again after the poll interval, in short steps so a stop is quick.
                for _ in 0..<max(1, settings.pollMilliseconds / 50) where !stopping.isSet {
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    /// Evaluates the alert rules; a store that cannot answer now is tried again at the next check
    /// (the deliveries' own errors say more about it).
    private func checkAlerts(_ monitor: AlertMonitor, _ database: Database) {
        do {
            _ = try monitor.evaluate(database)
        } catch {
            log.error("alert_check_failed", ["message": .string(String(describing: error))])
        }
    }

    /// Who holds a lease: host, process and a random part, so two workers never share a name.
    static func owner() -> String {
        "\(ProcessInfo.processInfo.hostName):\(getpid()):\(Identifiers.randomHex(byteCount: 4))"
    }
}

/// A flag set once from one thread (a shutdown handler, a timer) and read from others.
final class AtomicFlag: Sendable {
    private let value = Atomic<Bool>(false)
    var isSet: Bool { value.load(ordering: .relaxed) }
    func set() { value.store(true, ordering: .relaxed) }
}
