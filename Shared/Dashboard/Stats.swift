import FunctionKit
import LeadwireStore

/// The figures behind the dashboard, for a range of local days: what arrived (leads, calls,
/// sales) per bucket, how the intake and the outbound deliveries fared. Each series is an array
/// aligned with `buckets`; every figure is a count or a sum the store gives for that bucket.
struct Stats {
    static let topCount = 10

    let range: StatsRange
    let database: Database
    let now: Timestamp

    var dialect: SQLDialect { database.dialect }

    func json() throws -> JSONValue {
        let calls = try callRows()
        return [
            "success": true, "from": .string(range.from), "to": .string(range.to), "bucket": .string(range.bucket.rawValue),
            "time_zone": .string(range.zone.identifier), "buckets": .array(range.periods.map { .string($0.label) }),
            "leads": try leads(calls: calls), "calls": self.calls(calls), "sales": try sales(),
            "top_utm_sources": try top("utm_source", in: Self.salesTables),
            "top_targetologists": try top("targetologist", in: [Self.salesTables[0]]),
            "intake": try intake(), "outbound": try outbound(),
        ]
    }

    // MARK: Per bucket

    /// Kommo leads by when they were first stored; Knowlarity's new and repeat callers from
    /// `calls` (`callRows`).
    func leads(calls: [String: [SQLValue]]) throws -> JSONValue {
        let kommo = try perPeriod("SELECT p.label, count(*) FROM periods p JOIN kommo_leads k ON k.created_at >= p.start AND k.created_at < p.finish GROUP BY p.label")
        return [
            "kommo": ["new": series(kommo, 0)],
            "knowlarity": ["new": series(calls, 2), "repeat": series(calls, 3)],
        ]
    }

    func calls(_ rows: [String: [SQLValue]]) -> JSONValue {
        let total = rows.values.reduce(0) { $0 + ($1[0].integer ?? 0) }
        let new = rows.values.reduce(0) { $0 + ($1[2].integer ?? 0) }
        return [
            "total": series(rows, 0), "answered": series(rows, 1), "missed": series(rows, 0, minus: 1), "new_leads": series(rows, 2),
            "new_lead_share": total == 0 ? .null : .number(Self.decimal(Double(new) / Double(total))),
        ]
    }

    /// Calls by when they started: all, answered (they lasted), new leads, repeat callers.
    func callRows() throws -> [String: [SQLValue]] {
        try perPeriod(
            """
            SELECT p.label, count(*), sum(CASE WHEN c.call_duration_seconds > 0 THEN 1 ELSE 0 END),
                sum(CASE WHEN c.lead_outcome = 'new_lead' THEN 1 ELSE 0 END),
                sum(CASE WHEN c.lead_outcome IN ('same_source_repeat', 'cross_source_repeat') THEN 1 ELSE 0 END)
            FROM periods p JOIN knowlarity_calls c ON c.started_at >= p.start_us AND c.started_at < p.finish_us GROUP BY p.label
            """)
    }

    /// Won deals by route: traffic and both from the traffic table, referral from the referral
    /// table (a `both` sale is in both, and counted once), unknown from the log (no amount).
    /// Each sales table is read once over the whole range and its rows put in their buckets
    /// here: a range join would read the sale's day once per bucket.
    func sales() throws -> JSONValue {
        var routes: [String: (counts: [Int64], amounts: [Double])] = [:]
        for (table, condition) in Self.salesTables {
            let rows = try database.query(
                "SELECT \(saleDay("t")), t.routing_decision, t.amount FROM \(table) t WHERE \(soldInRange("t"))\(condition)", saleBounds)
            for row in rows {
                guard let day = row[0].text, let index = range.periodIndex(ofStoreTime: day) else { continue }
                let route = row[1].text ?? ""
                var totals = routes[route] ?? (Array(repeating: 0, count: range.periods.count), Array(repeating: 0, count: range.periods.count))
                totals.counts[index] += 1
                totals.amounts[index] += row[2].real ?? 0
                routes[route] = totals
            }
        }
        var answer = JSONObject()
        for route in ["traffic", "referral", "both"] {
            let totals = routes[route]
            answer[route] = [
                "count": .array(range.periods.indices.map { JSONValue(totals?.counts[$0] ?? 0) }),
                "amount": .array(range.periods.indices.map { .number(Self.decimal(totals?.amounts[$0] ?? 0)) }),
            ]
        }
        let unknown = try perPeriod(
            """
            SELECT p.label, count(DISTINCT w.lead_id) FROM periods p JOIN webhook_logs w ON w.received_at >= p.start AND w.received_at < p.finish
            WHERE w.source = 'amocrm' AND w.routing_decision = 'unknown' GROUP BY p.label
            """)
        answer["unknown"] = ["count": series(unknown, 0)]
        return .object(answer)
    }

    /// The sales tables, with what selects the sales each counts (a `both` sale is in both).
    static let salesTables = [("all_sales_tracking", ""), ("referral_sales", " AND t.routing_decision = 'referral'")]

    /// A sale's day is when amoCRM says it was won (`sold_at`, store-time text), or when it was
    /// recorded when amoCRM gave no time. Selected in two parts, each read by an index of its
    /// own (on `sold_at`; on `created_at` where `sold_at` is empty).
    private func soldInRange(_ table: String) -> String {
        "((\(table).sold_at >= ? AND \(table).sold_at < ?) OR (\(table).sold_at IS NULL AND \(table).created_at >= ? AND \(table).created_at < ?))"
    }

    private var saleBounds: [SQLValue] {
        let bounds: [SQLValue] = [.text(range.start.iso8601), .text(range.end.iso8601)]
        return bounds + bounds
    }

    /// The day as store-time text (PostgreSQL writes its recording time in the same form).
    private func saleDay(_ table: String) -> String {
        switch dialect {
        case .sqlite: "coalesce(\(table).sold_at, \(table).created_at)"
        case .postgres: "coalesce(\(table).sold_at, to_char(\(table).created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'))"
        }
    }

    // MARK: Over the whole range

    /// The sales of the range grouped by `column` over `tables`, the ten most frequent first.
    func top(_ column: String, in tables: [(String, String)]) throws -> JSONValue {
        var totals: [String: (count: Int64, amount: Double)] = [:]
        for (table, condition) in tables {
            let rows = try database.query(
                "SELECT coalesce(t.\(column), ''), count(*), coalesce(sum(t.amount), 0) FROM \(table) t WHERE \(soldInRange("t"))\(condition) GROUP BY t.\(column)",
                saleBounds)
            for row in rows {
                let before = totals[row[0].text ?? ""] ?? (0, 0)
                totals[row[0].text ?? ""] = (before.count + (row[1].integer ?? 0), before.amount + (row[2].real ?? 0))
            }
        }
        let ranked = totals.sorted { $0.value.count != $1.value.count ? $0.value.count > $1.value.count : $0.key < $1.key }.prefix(Self.topCount)
        return .array(ranked.map { name, total in
            [column: .string(name), "count": JSONValue(total.count), "amount": .number(Self.decimal(total.amount))]
        })
    }

    /// Requests by source and status, and each source's processing time p50 and p95 (exact:
    /// the requests are counted per millisecond, a few hundred groups, and ranked here). Each
    /// log table is read on its own, by its time index.
    func intake() throws -> JSONValue {
        let bounds: [SQLValue] = [.text(range.start.iso8601), .text(range.end.iso8601)]
        let rows = try database.query(
            """
            SELECT 'kommo', status, processing_ms, count(*) FROM kommo_webhook_logs
            WHERE created_at >= ? AND created_at < ? GROUP BY status, processing_ms
            """, bounds)
            + database.query(
                """
                SELECT source, processing_status, processing_ms, count(*) FROM webhook_logs
                WHERE received_at >= ? AND received_at < ? GROUP BY source, processing_status, processing_ms
                """, bounds)
        var order: [String] = []
        var requests: [String: JSONObject] = [:]
        var times: [String: [(milliseconds: Int64, count: Int64)]] = [:]
        for row in rows {
            let source = row[0].text ?? ""
            if requests[source] == nil {
                order.append(source)
                requests[source] = JSONObject([("success", 0), ("partial", 0), ("error", 0)])
            }
            let status = row[1].text ?? ""
            let count = row[3].integer ?? 0
            let before = requests[source]?[status]?.int64 ?? 0
            requests[source]?[status] = JSONValue(before + count)
            if let milliseconds = row[2].integer { times[source, default: []].append((milliseconds, count)) }
        }
        return .array(order.sorted().map { source in
            let timed = (times[source] ?? []).sorted { $0.milliseconds < $1.milliseconds }
            return [
                "source": .string(source), "requests": .object(requests[source] ?? JSONObject()),
                "timed": JSONValue(timed.reduce(0) { $0 + $1.count }), "p50_ms": Self.percentile(0.5, timed), "p95_ms": Self.percentile(0.95, timed),
            ]
        })
    }

    /// The nearest-rank percentile of counted times, in ascending order; null when none is timed.
    static func percentile(_ share: Double, _ timed: [(milliseconds: Int64, count: Int64)]) -> JSONValue {
        let total = timed.reduce(0) { $0 + $1.count }
        guard total > 0 else { return .null }
        let rank = max(1, Int64((share * Double(total)).rounded(.up)))
        var seen: Int64 = 0
        for (milliseconds, count) in timed {
            seen += count
            if seen >= rank { return JSONValue(milliseconds) }
        }
        return .null
    }

    /// Per subscription: deliveries that succeeded and failed in the range, and messages waiting
    /// now; the oldest waiting message of any kind.
    func outbound() throws -> JSONValue {
        let rows = try database.query(
            """
            SELECT s.id, s.name, s.active,
                (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'success' AND d.created_at >= ? AND d.created_at < ?),
                (SELECT count(*) FROM webhook_deliveries d WHERE d.subscription_id = s.id AND d.status = 'failed' AND d.created_at >= ? AND d.created_at < ?),
                (SELECT count(*) FROM outbox o WHERE o.subscription_id = s.id AND o.status = 'pending')
            FROM webhook_subscriptions s ORDER BY s.created_at, s.id
            """, Array(repeating: [SQLValue.text(range.start.iso8601), .text(range.end.iso8601)], count: 2).flatMap { $0 })
        let oldest = try database.queryRow("SELECT min(created_at), count(*) FROM outbox WHERE status = 'pending'")
        let oldestText = oldest?[0].text
        let age = oldestText.flatMap { ISO8601Time.microseconds($0) }.map { max(0, now.millisecondsSince1970 - $0 / 1000) / 1000 }
        return [
            "subscriptions": .array(rows.map { row in
                [
                    "id": .string(row[0].text ?? ""), "name": .string(row[1].text ?? ""), "active": .bool(row[2].integer != 0),
                    "delivered": JSONValue(row[3].integer ?? 0), "failed": JSONValue(row[4].integer ?? 0), "pending": JSONValue(row[5].integer ?? 0),
                ]
            }),
            "pending": JSONValue(oldest?[1].integer ?? 0), "oldest_pending_at": JSONValue(oldestText), "oldest_pending_age_seconds": JSONValue(age),
        ]
    }

    // MARK: Helpers

    /// Rows of `label, figures…`, by label.
    private func perPeriod(_ sql: String) throws -> [String: [SQLValue]] {
        let periods = range.periodsTable(dialect)
        var rows: [String: [SQLValue]] = [:]
        for row in try database.query("WITH " + periods.sql + "\n" + sql, periods.parameters) { rows[row[0].text ?? ""] = Array(row.values.dropFirst()) }
        return rows
    }

    /// One figure per bucket (0 where the bucket has no row); with `minus`, that figure less another.
    private func series(_ rows: [String: [SQLValue]], _ column: Int, minus other: Int? = nil) -> JSONValue {
        .array(range.periods.map { period in
            let values = rows[period.label]
            let value = (values?[column].integer ?? 0) - (other.flatMap { values?[$0].integer } ?? 0)
            return JSONValue(value)
        })
    }

    /// A number as JSON text: whole when it is whole, two decimals otherwise.
    static func decimal(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String((value * 100).rounded() / 100)
    }
}
