import FunctionKit
import ServiceLifecycle

/// Runs the poller every interval until SIGTERM or SIGINT. A busy provider (429, 5xx) is left
/// alone for its `Retry-After`, else for a wait that doubles from the interval up to ten
/// minutes; wrong keys are logged each interval (they may be fixed without a restart).
struct PollService: Service, CustomStringConvertible {
    let poller: KnowlarityPoller
    let log: Logger

    var description: String { "the Knowlarity poller" }

    func run() async throws {
        let stopping = AtomicFlag()
        let interval = Int64(poller.settings.intervalSeconds)
        try await withGracefulShutdownHandler {
            var wait = interval
            while !stopping.isSet {
                do {
                    Self.report(try await poller.pass(), log: log)
                    wait = interval
                } catch KnowlarityPoller.Failure.busy(let status, let retryAfter) {
                    wait = max(retryAfter ?? 0, min(wait * 2, 600))
                    log.error("poll_backing_off", ["status": JSONValue(Int64(status)), "seconds": JSONValue(wait)])
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
    static func passWithRetries(_ poller: KnowlarityPoller, log: Logger) async throws {
        var tries = 0
        while true {
            do {
                report(try await poller.pass(), log: log)
                return
            } catch KnowlarityPoller.Failure.busy(let status, let retryAfter) where tries < 3 {
                tries += 1
                let seconds = min(retryAfter ?? Int64(1 << tries), 60)
                log.error("poll_backing_off", ["status": JSONValue(Int64(status)), "seconds": JSONValue(seconds)])
                try await Task.sleep(for: .seconds(seconds))
            } catch {
                log.error("poll_failed", ["message": .string(String(describing: error))])
                throw error
            }
        }
    }

    static func report(_ pass: KnowlarityPoller.Pass, log: Logger) {
        log.info("poll_pass", ["calls": JSONValue(Int64(pass.calls)), "stored": JSONValue(Int64(pass.stored)), "pages": JSONValue(Int64(pass.pages))])
    }
}
