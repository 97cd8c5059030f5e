import FunctionKit
import ServiceLifecycle

/// A backup for lost hooks: one pass reads the provider's record of what happened and sends
/// what the store lacks through the hook's own processing.
protocol Poller: Sendable, CustomStringConvertible {
    associatedtype Pass: PollReport
    var intervalSeconds: Int { get }
    func pass(now: Timestamp) async throws -> Pass
}

/// What one pass did, for its `poll_pass` log line.
protocol PollReport {
    var fields: [(String, Int)] { get }
}

/// 429 or 5xx from a provider: try later, no sooner than `retryAfter` seconds when given.
struct ProviderBusy: Error, CustomStringConvertible {
    let provider: String
    let status: Int
    let retryAfter: Int64?

    var description: String { "\(provider) answered \(status)\(retryAfter.map { "; retry after \($0) s" } ?? "")." }
}

/// Runs a poller every interval until SIGTERM or SIGINT. A busy provider (429, 5xx) is left
/// alone for its `Retry-After`, else for a wait that doubles from the interval up to ten
/// minutes; wrong keys are logged each interval (they may be fixed without a restart).
struct PollService<P: Poller>: Service, CustomStringConvertible {
    let poller: P
    let log: Logger

    var description: String { poller.description }

    func run() async throws {
        let stopping = AtomicFlag()
        let interval = Int64(poller.intervalSeconds)
        try await withGracefulShutdownHandler {
            var wait = interval
            while !stopping.isSet {
                do {
                    Self.report(try await poller.pass(now: .now()), log: log)
                    wait = interval
                } catch let busy as ProviderBusy {
                    wait = max(busy.retryAfter ?? 0, min(wait * 2, 600))
                    log.error("poll_backing_off", ["status": JSONValue(Int64(busy.status)), "seconds": JSONValue(wait)])
                } catch {
                    wait = interval
                    log.error("poll_failed", ["message": .string(String(describing: error))])
                }
                for _ in 0..<(wait * 10) where !stopping.isSet { try await Task.sleep(for: .milliseconds(100)) }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    /// `--once`: one pass, retried up to three times when the provider is busy (waiting its
    /// `Retry-After`, at most a minute); any other failure ends it with the reason.
    static func passWithRetries(_ poller: P, log: Logger) async throws {
        var tries = 0
        while true {
            do {
                report(try await poller.pass(now: .now()), log: log)
                return
            } catch let busy as ProviderBusy where tries < 3 {
                tries += 1
                let seconds = min(busy.retryAfter ?? Int64(1 << tries), 60)
                log.error("poll_backing_off", ["status": JSONValue(Int64(busy.status)), "seconds": JSONValue(seconds)])
                try await Task.sleep(for: .seconds(seconds))
            } catch {
                log.error("poll_failed", ["message": .string(String(describing: error))])
                throw error
            }
        }
    }

    static func report(_ pass: P.Pass, log: Logger) {
        log.info("poll_pass", fields: pass.fields.map { (key: $0.0, value: JSONValue(Int64($0.1))) })
    }
}
