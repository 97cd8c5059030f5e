public import FunctionKit
public import LeadwireStore

/// When an inbound request arrived and when its processing finished, for its log row:
/// `received_at` is the arrival, `processed_at` the end, and `processing_ms` the time between
/// (measured on the monotonic clock, so a wall-clock step cannot make it negative).
public struct ProcessingTime: Sendable {
    public let receivedAt: Timestamp
    public let processedAt: Timestamp
    public let milliseconds: Int64

    /// The time of `request` up to now.
    public init(of request: Request) {
        let elapsed = request.receivedAt.duration(to: .now).components
        milliseconds = max(0, elapsed.seconds * 1000 + elapsed.attoseconds / 1_000_000_000_000_000)
        processedAt = Timestamp.now()
        receivedAt = Timestamp(millisecondsSince1970: processedAt.millisecondsSince1970 - milliseconds)
    }

    /// The three columns' values, in the order `received, processed, processing_ms`.
    public var columns: [SQLValue] {
        [.text(receivedAt.iso8601), .text(processedAt.iso8601), .integer(milliseconds)]
    }
}
