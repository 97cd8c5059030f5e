public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// `LEADWIRE_<FUNCTION>_RATE_LIMIT`: at most that many requests a minute from one sender (an address, or an IPv6 /64)
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
        let address = Self.sender(request.remoteAddress ?? "")
        let seconds = now.secondsSince1970
        let window = seconds - seconds % 60
        let database = try context.openStore()
        let count: Int64
        do {
            count = try database.transaction {
                let count =
                    try database.queryRow(
                        """
                        INSERT INTO sender_rate_limits (function, address, window_start, count) VALUES (?1, ?2, ?3, 1)
                        ON CONFLICT (function, address) DO UPDATE SET
                            count = CASE WHEN sender_rate_limits.window_start = ?3 THEN sender_rate_limits.count + 1 ELSE 1 END, window_start = ?3
                        RETURNING count
                        """, [.text(function), .text(address), .integer(window)])?[0].integer ?? 0
                // A sender's first request of a minute clears the rows of senders gone quiet, so
                // the table holds about one minute's senders, however many have come and gone.
                if count == 1 { try database.run("DELETE FROM sender_rate_limits WHERE window_start < ?", [.integer(window - 60)]) }
                return count
            }
        } catch {
            context.logger.error("store_failed", ["message": .string(String(describing: error))])
            throw HTTPError.serviceUnavailable("The store could not count this request in time; nothing was kept, retry later.")
        }
        guard count > perMinute else { return }
        context.logger.error("sender_rate_limited", ["remote_addr": .string(address), "setting": .string(variable), "count": JSONValue(count)])
        throw HTTPError(
            .tooManyRequests, code: .rateLimited, message: "More than \(perMinute) requests a minute from this sender (\(variable)); retry later.",
            headers: [.retryAfter: String(window + 60 - seconds)])
    }

    /// What one sender is for counting: an IPv4 address, or an IPv6 sender's /64, since anyone
    /// given one IPv6 address has the 2^64 around it to walk through a per-address limit.
    static func sender(_ remoteAddress: String) -> String {
        guard let bytes = AddressRange.bytes(of: remoteAddress), bytes.count == 16 else { return remoteAddress }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
