public import FunctionKit
import HTTPTypes
import LeadwireStore

/// `LEADWIRE_<FUNCTION>_RATE_LIMIT`: at most that many requests a minute from one sender address
/// to one function, counted in the store so every process (and every host sharing the file)
/// sees the same count. Unset, there is no limit. A sender over it gets 429 with
/// `Retry-After` (the seconds left in its minute, so a CRM retries then) and nothing is
/// stored; other senders are not affected. Replays are not counted.
public struct SenderRateLimit: Sendable {
    public let variable: String
    public let function: String
    let perMinute: Int?

    public init(_ environment: Environment, variable: String, function: String) throws(ConfigurationError) {
        self.variable = variable
        self.function = function
        perMinute = environment.isReplay || environment[variable] == nil ? nil : try environment.integer(variable, default: 0)
    }

    /// Counts the request; throws 429 once the sender is over the limit.
    public func admit(_ request: Request, context: FunctionContext, now: Timestamp) throws {
        guard let perMinute else { return }
        let address = request.remoteAddress ?? ""
        let seconds = now.secondsSince1970
        let window = seconds - seconds % 60
        let database = try context.openStore()
        let count: Int64
        do {
            count = try database.transaction {
                try database.queryRow(
                    """
                    INSERT INTO sender_rate_limits (function, address, window_start, count) VALUES (?1, ?2, ?3, 1)
                    ON CONFLICT (function, address) DO UPDATE SET
                        count = CASE WHEN sender_rate_limits.window_start = ?3 THEN sender_rate_limits.count + 1 ELSE 1 END, window_start = ?3
                    RETURNING count
                    """, [.text(function), .text(address), .integer(window)])?[0].integer ?? 0
            }
        } catch {
            context.logger.error("store_failed", ["message": .string(String(describing: error))])
            throw HTTPError.serviceUnavailable("The store could not count this request in time; nothing was kept, retry later.")
        }
        guard count > perMinute else { return }
        context.logger.error("sender_rate_limited", ["remote_addr": .string(address), "setting": .string(variable), "count": JSONValue(count)])
        throw HTTPError(
            .tooManyRequests, code: "rate_limited", message: "More than \(perMinute) requests a minute from this sender (\(variable)); retry later.",
            headers: [.retryAfter: String(window + 60 - seconds)])
    }
}
