import FunctionKit
import LeadwireStore

/// The period a stats request covers: whole local days (or weeks from Monday) in the configured
/// time zone, from `from` to `to` inclusive, each bucket with its bounds in UTC.
struct StatsRange {
    enum Bucket: String, CaseIterable { case day, week }

    struct Period {
        /// The bucket's first local day, `YYYY-MM-DD`.
        let label: String
        let start: Timestamp
        let end: Timestamp
    }

    static let parameters = ["from", "to", "bucket"]
    static let defaultDays: Int64 = 30
    static let maxBuckets = 400

    let zone: TimeZoneRule
    let bucket: Bucket
    let from: String
    let to: String
    let periods: [Period]
    /// Each period's start as store-time text, for `periodIndex`.
    private let periodStarts: [String]

    var start: Timestamp { periods[0].start }
    var end: Timestamp { periods[periods.count - 1].end }

    init(_ query: QueryParameters, zone: TimeZoneRule, now: Timestamp) throws(HTTPError) {
        if let unknown = query.pairs.first(where: { !Self.parameters.contains($0.name) }) {
            throw .badRequest("Unknown parameter \(unknown.name.prefix(40)); stats accept from, to and bucket.", code: .invalidParameter)
        }
        let today = Self.days(zone.localDate(at: now.secondsSince1970)) ?? 0
        let last = try query["to"].map { text throws(HTTPError) in try Self.date(text, "to") } ?? today
        let first = try query["from"].map { text throws(HTTPError) in try Self.date(text, "from") } ?? last - Self.defaultDays + 1
        guard first <= last else { throw .badRequest("from must not be after to.", code: .invalidParameter) }
        guard let bucket = Bucket(rawValue: query["bucket"] ?? "day") else {
            throw .badRequest("bucket must be day or week, got \"\(query["bucket"]?.prefix(40) ?? "")\".", code: .invalidParameter)
        }
        // A week starts on Monday (1970-01-01, day 0, was a Thursday).
        let step: Int64 = bucket == .day ? 1 : 7
        let firstBucket = bucket == .day ? first : first - ((first + 3) - (first + 3).floorDivided(by: 7) * 7)
        guard (last - firstBucket) / step < Int64(Self.maxBuckets) else {
            throw .badRequest("The range holds more than \(Self.maxBuckets) buckets; narrow it or use bucket=week.", code: .invalidParameter)
        }
        self.zone = zone
        self.bucket = bucket
        from = Self.text(first)
        to = Self.text(last)
        periods = stride(from: firstBucket, through: last, by: Int(step)).map { day in
            Period(label: Self.text(day), start: Self.localMidnight(day, zone), end: Self.localMidnight(day + step, zone))
        }
        periodStarts = periods.map(\.start.iso8601)
    }

    /// Days since 1970-01-01 of a `YYYY-MM-DD` date, checked (2025-02-30 is refused).
    static func date(_ text: String, _ name: String) throws(HTTPError) -> Int64 {
        guard let days = days(text) else {
            throw .badRequest("\(name) must be a date such as 2025-12-06, got \"\(text.prefix(40))\".", code: .invalidParameter)
        }
        return days
    }

    static func days(_ text: String) -> Int64? {
        guard text.utf8.count == 10, let microseconds = ISO8601Time.microseconds(text) else { return nil }
        return microseconds.floorDivided(by: 86_400_000_000)
    }

    static func text(_ days: Int64) -> String {
        String(Timestamp(millisecondsSince1970: days * 86_400_000).iso8601.prefix(10))
    }

    /// The UTC instant of a local day's first moment: the offset is read at the instant it
    /// applies to, twice, so a day that starts just after a transition gets the new offset.
    static func localMidnight(_ days: Int64, _ zone: TimeZoneRule) -> Timestamp {
        let naive = days * 86_400
        var instant = naive - Int64(zone.offset(at: naive))
        instant = naive - Int64(zone.offset(at: instant))
        return Timestamp(millisecondsSince1970: instant * 1000)
    }

    /// The bucket a store time (`….123Z` text) falls in, if any: store times sort as text.
    func periodIndex(ofStoreTime time: String) -> Int? {
        guard time >= periodStarts[0], time < end.iso8601 else { return nil }
        var low = 0
        var high = periodStarts.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if periodStarts[middle] <= time { low = middle } else { high = middle }
        }
        return low
    }

    /// The periods as a common table `periods(label, start, finish, start_us, finish_us)`: the
    /// bounds as the store's time (for `timestamptz` columns), and as text in the form the calls'
    /// `started_at` holds (`….123456Z`), so that column compares with its own form.
    func periodsTable(_ dialect: SQLDialect) -> (sql: String, parameters: [SQLValue]) {
        let row = "(?, \(dialect.timeParameter), \(dialect.timeParameter), ?, ?)"
        let sql = "periods (label, start, finish, start_us, finish_us) AS (VALUES "
            + Array(repeating: row, count: periods.count).joined(separator: ", ") + ")"
        let parameters = periods.flatMap { period -> [SQLValue] in
            [
                .text(period.label), .text(period.start.iso8601), .text(period.end.iso8601),
                .text(ISO8601Time.text(microseconds: period.start.millisecondsSince1970 * 1000)),
                .text(ISO8601Time.text(microseconds: period.end.millisecondsSince1970 * 1000)),
            ]
        }
        return (sql, parameters)
    }
}
