/// When a failed message is tried again: exponential backoff with full jitter. After the
/// n-th failed attempt the next one comes at a random moment between 0 and
/// `base × 2^(n−1)` seconds later (capped at six hours), so receivers that come back after an
/// outage are not hit by every sender at once. A `Retry-After` the receiver sent is a lower bound.
/// After `1 + retries` attempts the message is failed for good (a person can retry it).
public struct RetrySchedule: Sendable {
    public let baseSeconds: Int64
    public let retries: Int64
    public static let capSeconds: Int64 = 6 * 3600

    public init(baseSeconds: Int64, retries: Int64) {
        self.baseSeconds = max(1, baseSeconds)
        self.retries = max(0, retries)
    }

    /// Seconds to wait after `failedAttempts` failures, or nil when none is left.
    public func delay<R: RandomNumberGenerator>(afterFailedAttempts failedAttempts: Int64, retryAfter: Int64? = nil, using random: inout R) -> Int64? {
        guard failedAttempts <= retries else { return nil }
        let exponent = min(failedAttempts - 1, 30)
        let ceiling = min(Self.capSeconds, baseSeconds << exponent)
        return max(Int64.random(in: 0...ceiling, using: &random), retryAfter ?? 0)
    }

    public func delay(afterFailedAttempts failedAttempts: Int64, retryAfter: Int64? = nil) -> Int64? {
        var random = SystemRandomNumberGenerator()
        return delay(afterFailedAttempts: failedAttempts, retryAfter: retryAfter, using: &random)
    }
}
