import FunctionKit
import LeadwireStore

/// The figures behind the dashboard, for a range of local days: what arrived (leads, calls,
/// sales) per bucket, how the intake and the outbound deliveries fared. Each series is an array
/// aligned with `buckets`; every figure is a count or a sum the store gives for that bucket.
struct Stats {
    /// Processing-time steps (ms) the percentiles are read from: a percentile is the first step
    /// at or under which that share of requests finished.
    static let steps: [Int64] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000]
    static let topCount = 10

    let range: StatsRange
    let database: Database
    let now: Timestamp

    var dialect: SQLDialect { database.dialect }

    func json() throws -> JSONValue {
        [
            "success": true, "from": .string(range.from), "to": .string(range.to), "bucket": .string(range.bucket.rawValue),
            "time_zone": .string(range.zone.identifier), "buckets": .array(range.periods.map { .string($0.label) }),
            "leads": try leads(), "calls": try calls(), "sales": try sales(),
            "top_utm_sources": try top("coalesce(utm_source, '')", as: "utm_source", from: salesUnion),
            "top_targetologists": try top("targetologist", as: "targetologist", from: "SELECT targetologist, amount, \(saleDay) AS day FROM all_sales_tracking"),
            "intake": try intake(), "outbound": try outbound(),
        ]
    }

    // MARK: Per bucket

    func leads() throws -> JSONValue {
        let kommo = try perPeriod("SELECT p.label, count(*) FROM periods p JOIN kommo_leads k ON k.created_at >= p.start AND k.created_at < p.finish GROUP BY p.label")
        let calls = try callRows()
        return [
            "kommo": ["new": series(kommo, 0)],
            "knowlarity": ["new": series(calls, 2), "repeat": series(calls, 3)],
        ]
    }

    func calls() throws -> JSONValue {
        let rows = try callRows()
        let total = rows.values.reduce(0) { $0 + ($1[0].integer ?? 0) }
        let new = rows.values.reduce(0) { $0 + ($1[2].integer ?? 0) }
        return [
            "total": series(rows, 0), "answered": series(rows, 1), "missed": series(rows, 0, minus: 1), "new_leads": series(rows, 2),
            "new_lead_share": total == 0 ? .null : .number(Self.decimal(Double(new) / Double(total))),
        ]
    }

    /// Calls by when they started: all, answered (they lasted), new leads, repeat callers.
    private func callRows() throws -> [String: [SQLValue]] {
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
    func sales() throws -> JSONValue {
        let (low, high) = dialect == .sqlite ? ("start_ms", "finish_ms") : ("start", "finish")
        let rows = try database.query(
            withPeriods("""
                SELECT p.label, s.routing_decision, count(*), coalesce(sum(s.amount), 0)
                FROM periods p JOIN (\(salesUnion)) s ON s.day >= p.\(low) AND s.day < p.\(high) GROUP BY p.label, s.routing_decision
                """), periodParameters)
        var routes: [String: [String: [SQLValue]]] = [:]
        for row in rows { routes[row[1].text ?? "", default: [:]][row[0].text ?? ""] = [row[2], row[3]] }
        var answer = JSONObject()
        for route in ["traffic", "referral", "both"] {
            let byPeriod = routes[route] ?? [:]
            answer[route] = ["count": series(byPeriod, 0), "amount": amounts(byPeriod, 1)]
        }
        let unknown = try perPeriod(
            """
            SELECT p.label, count(DISTINCT w.lead_id) FROM periods p JOIN webhook_logs w ON w.received_at >= p.start AND w.received_at < p.finish
            WHERE w.source = 'amocrm' AND w.routing_decision = 'unknown' GROUP BY p.label
            """)
        answer["unknown"] = ["count": series(unknown, 0)]
        return .object(answer)
    }

    /// A sale's day: when amoCRM says it was won, or when it was recorded.
    private var saleDay: String {
        dialect == .sqlite ? "coalesce(sold_at, created_at)" : "coalesce(CAST(sold_at AS timestamptz), created_at)"
    }

    private var salesUnion: String {
        """
        SELECT routing_decision, amount, utm_source, \(saleDay) AS day FROM all_sales_tracking
        UNION ALL SELECT routing_decision, amount, utm_source, \(saleDay) FROM referral_sales WHERE routing_decision = 'referral'
        """
    }

    // MARK: Over the whole range

    func top(_ expression: String, as name: String, from source: String) throws -> JSONValue {
        let rows = try database.query(
            """
            SELECT \(expression) AS name, count(*), coalesce(sum(amount), 0) FROM (\(source)) s
            WHERE s.day >= ? AND s.day < ? GROUP BY \(expression) ORDER BY count(*) DESC, \(expression) LIMIT \(Self.topCount)
            """, [.text(range.start.iso8601), .text(range.end.iso8601)])
        return .array(rows.map { row in
            [name: .string(row[0].text ?? ""), "count": JSONValue(row[1].integer ?? 0), "amount": .number(Self.decimal(row[2].real))]
        })
    }

    /// Requests by source and status, and each source's processing time p50 and p95.
    func intake() throws -> JSONValue {
        let steps = Self.steps.map { "sum(CASE WHEN processing_ms <= \($0) THEN 1 ELSE 0 END)" }.joined(separator: ", ")
        let rows = try database.query(
            """
            SELECT source, status, count(*), count(processing_ms), \(steps) FROM inbound_logs
            WHERE received_at >= ? AND received_at < ? GROUP BY source, status ORDER BY source, status
            """, [.text(range.start.iso8601), .text(range.end.iso8601)])
        var order: [String] = []
        var requests: [String: JSONObject] = [:]
        var timed: [String: (count: Int64, steps: [Int64])] = [:]
        for row in rows {
            let source = row[0].text ?? ""
            if requests[source] == nil {
                order.append(source)
                requests[source] = JSONObject([("success", 0), ("partial", 0), ("error", 0)])
            }
            requests[source]?[row[1].text ?? ""] = JSONValue(row[2].integer ?? 0)
            var times = timed[source] ?? (0, Array(repeating: 0, count: Self.steps.count))
            times.count += row[3].integer ?? 0
            for index in Self.steps.indices { times.steps[index] += row[4 + index].integer ?? 0 }
            timed[source] = times
        }
        return .array(order.map { source in
            let times = timed[source] ?? (0, [])
            return [
                "source": .string(source), "requests": .object(requests[source] ?? JSONObject()),
                "timed": JSONValue(times.count), "p50_ms": Self.percentile(0.5, times), "p95_ms": Self.percentile(0.95, times),
            ]
        })
    }

    static func percentile(_ share: Double, _ times: (count: Int64, steps: [Int64])) -> JSONValue {
        guard times.count > 0 else { return .null }
        let needed = Int64((share * Double(times.count)).rounded(.up))
        guard let index = times.steps.firstIndex(where: { $0 >= needed }) else { return .null }
        return JSONValue(steps[index])
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

    private var periodParameters: [SQLValue] { range.periodsTable(dialect).parameters }

    private func withPeriods(_ sql: String) -> String { "WITH " + range.periodsTable(dialect).sql + "\n" + sql }

    /// Rows of `label, figures…`, by label.
    private func perPeriod(_ sql: String) throws -> [String: [SQLValue]] {
        var rows: [String: [SQLValue]] = [:]
        for row in try database.query(withPeriods(sql), periodParameters) { rows[row[0].text ?? ""] = Array(row.values.dropFirst()) }
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

    private func amounts(_ rows: [String: [SQLValue]], _ column: Int) -> JSONValue {
        .array(range.periods.map { .number(Self.decimal(rows[$0.label]?[column].real)) })
    }

    /// A number as JSON text: whole when it is whole, two decimals otherwise.
    static func decimal(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "0" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String((value * 100).rounded() / 100)
    }
}
