#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A wall-clock instant with millisecond precision, formatted the way the store keeps times:
/// `2026-11-22T19:58:20.123Z` (UTC, sortable as text). Only years 0001 to 9999 have that form,
/// so an instant is kept within them.
public struct Timestamp: Sendable, Comparable {
    public let millisecondsSince1970: Int64

    /// The first and last millisecond of years 0001 to 9999.
    public static let representable: ClosedRange<Int64> = -62_135_596_800_000...253_402_300_799_999
    public static let epoch = Timestamp(millisecondsSince1970: 0)

    /// An instant the program computed; one outside years 0001 to 9999 is moved to the nearer end.
    public init(millisecondsSince1970: Int64) {
        self.millisecondsSince1970 = min(max(millisecondsSince1970, Self.representable.lowerBound), Self.representable.upperBound)
    }

    /// A Unix time taken from a request or the store, or nil when it is not in years 0001 to
    /// 9999 (a sender's `9223372036854775807` is a mistake to report, not a time to keep).
    public init?(secondsSince1970 seconds: Int64) {
        let (milliseconds, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow, Self.representable.contains(milliseconds) else { return nil }
        self.init(millisecondsSince1970: milliseconds)
    }

    /// This instant moved by `seconds`, which may be anything a sender or a setting gave.
    public func adding(seconds: Int64) -> Timestamp {
        Timestamp(millisecondsSince1970: millisecondsSince1970.saturatingAdd(seconds.saturatingMultiply(1000)))
    }

    public static func now() -> Timestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Timestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    public var secondsSince1970: Int64 { millisecondsSince1970 / 1000 }

    public var iso8601: String {
        // Floor division, so an instant before 1970 keeps a positive millisecond part.
        var seconds = time_t(millisecondsSince1970.floorDivided(by: 1000))
        let milliseconds = millisecondsSince1970 - Int64(seconds) * 1000
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2))."
            + "\(pad(Int32(milliseconds), 3))Z"
    }

    public static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.millisecondsSince1970 < rhs.millisecondsSince1970
    }

    /// Milliseconds elapsed since `start`, for request durations.
    public static func millisecondsSince(_ start: Timestamp) -> Int64 {
        now().millisecondsSince1970 - start.millisecondsSince1970
    }
}
