import FunctionKit
import LeadwireStore

/// What the store knows, as Prometheus metrics. Counts come from the tables themselves, so they
/// survive every process restart and agree across hosts sharing the store.
enum StoreMetrics {
    /// Processing-time buckets, in milliseconds (the histogram's `le` in seconds).
    static let buckets: [Int64] = [5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]

    static func write(_ database: Database, now: Timestamp, into out: inout Exposition) throws {
        try intake(database, into: &out)
        try outbox(database, now: now, into: &out)
        try deliveries(database, into: &out)
        try pollers(database, now: now, into: &out)
        try store(database, into: &out)
    }

    /// Requests by source and status, and each source's processing time, from the running
    /// totals (brought up to date first).
    static func intake(_ database: Database, into out: inout Exposition) throws {
        try IntakeTotals.bringUpToDate(database)
        let rows = try database.query("SELECT source, status, processing_ms, requests FROM intake_totals ORDER BY source, status, processing_ms")
        out.family("leadwire_intake_requests_total", "counter", "Inbound requests logged, by source and processing status.")
        var sources: [String] = []
        var requests: [(source: String, status: String, count: Int64)] = []
        var timed: [String: (count: Int64, sumMilliseconds: Int64, buckets: [Int64])] = [:]
        for row in rows {
            let (source, status) = (row[0].text ?? "", row[1].text ?? "")
            let (milliseconds, count) = (row[2].integer ?? -1, row[3].integer ?? 0)
            if requests.last?.source == source && requests.last?.status == status {
                requests[requests.count - 1].count += count
            } else {
                requests.append((source, status, count))
            }
            if !sources.contains(source) { sources.append(source) }
            guard milliseconds >= 0 else { continue }
            var totals = timed[source] ?? (0, 0, Array(repeating: 0, count: buckets.count))
            totals.count += count
            totals.sumMilliseconds += milliseconds * count
            for (index, limit) in buckets.enumerated() where milliseconds <= limit { totals.buckets[index] += count }
            timed[source] = totals
        }
        for entry in requests {
            out.sample("leadwire_intake_requests_total", [("source", entry.source), ("status", entry.status)], entry.count)
        }
        out.family("leadwire_intake_processing_seconds", "histogram", "Time from a request's arrival to the end of its processing, by source.")
        for source in sources {
            guard let totals = timed[source] else { continue }
            for (index, limit) in buckets.enumerated() {
                out.sample("leadwire_intake_processing_seconds_bucket", [("source", source), ("le", Exposition.number(Double(limit) / 1000))], totals.buckets[index])
            }
            out.sample("leadwire_intake_processing_seconds_bucket", [("source", source), ("le", "+Inf")], totals.count)
            out.sample("leadwire_intake_processing_seconds_sum", [("source", source)], Double(totals.sumMilliseconds) / 1000)
            out.sample("leadwire_intake_processing_seconds_count", [("source", source)], totals.count)
        }
    }

    /// Outbox messages waiting or given up on, by topic, and how long the oldest pending one has
    /// waited. (Delivered ones are counted as deliveries; the outbox keeps them all, so counting
    /// them here would grow with every message ever sent.)
    static func outbox(_ database: Database, now: Timestamp, into out: inout Exposition) throws {
        out.family("leadwire_outbox_messages", "gauge", "Outbox messages (webhook deliveries, notices, widget replies) pending or failed, by topic.")
        for row in try database.query("SELECT topic, status, count(*) FROM outbox WHERE status IN ('pending', 'failed') GROUP BY topic, status ORDER BY topic, status") {
            out.sample("leadwire_outbox_messages", [("topic", row[0].text ?? ""), ("state", row[1].text ?? "")], row[2].integer ?? 0)
        }
        let oldest = try database.queryRow("SELECT min(created_at) FROM outbox WHERE status = 'pending'")?[0].text
        out.family("leadwire_outbox_oldest_pending_age_seconds", "gauge", "Seconds the oldest pending outbox message has waited (0 when none is pending).")
        out.sample("leadwire_outbox_oldest_pending_age_seconds", [], age(of: oldest, now: now))
    }

    /// Delivery attempts by subscription and result (each subscription's own counters), and the
    /// subscriptions switched off.
    static func deliveries(_ database: Database, into out: inout Exposition) throws {
        out.family("leadwire_webhook_deliveries_total", "counter", "Outbound delivery attempts, by subscription and result.")
        for row in try database.query("SELECT id, name, success_count, failed_count FROM webhook_subscriptions ORDER BY id") {
            let labels = [("subscription", row[0].text ?? ""), ("name", row[1].text ?? "")]
            out.sample("leadwire_webhook_deliveries_total", labels + [("result", "success")], row[2].integer ?? 0)
            out.sample("leadwire_webhook_deliveries_total", labels + [("result", "failed")], row[3].integer ?? 0)
        }
        let disabled = try database.queryRow("SELECT count(*) FROM webhook_subscriptions WHERE \(database.dialect == .sqlite ? "active = 0" : "NOT active")")
        out.family("leadwire_webhook_subscriptions_disabled", "gauge", "Subscriptions switched off (by failures or by hand).")
        out.sample("leadwire_webhook_subscriptions_disabled", [], disabled?[0].integer ?? 0)
    }

    /// Each poller's last finished pass, and how far behind now it has read.
    static func pollers(_ database: Database, now: Timestamp, into out: inout Exposition) throws {
        let rows = try database.query("SELECT name, polled_until, updated_at FROM poll_cursors ORDER BY name")
        out.family("leadwire_poller_last_success_timestamp_seconds", "gauge", "When each poller last finished a pass (Unix time).")
        for row in rows {
            let finished = row[2].text.flatMap { ISO8601Time.microseconds($0) } ?? 0
            out.sample("leadwire_poller_last_success_timestamp_seconds", [("poller", row[0].text ?? "")], Double(finished / 1000) / 1000)
        }
        out.family("leadwire_poller_lag_seconds", "gauge", "How far behind now each poller has read.")
        for row in rows {
            out.sample("leadwire_poller_lag_seconds", [("poller", row[0].text ?? "")], age(of: row[1].text, now: now))
        }
    }

    static func store(_ database: Database, into out: inout Exposition) throws {
        let size: Int64
        switch database.dialect {
        case .sqlite:
            let pages = try database.queryRow("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()")
            size = pages?[0].integer ?? 0
        case .postgres:
            size = try database.queryRow("SELECT pg_database_size(current_database())")?[0].integer ?? 0
        }
        out.family("leadwire_database_size_bytes", "gauge", "The store's size on disk.")
        out.sample("leadwire_database_size_bytes", [], size)
        out.family("leadwire_schema_version", "gauge", "The store's schema version (its last migration).")
        out.sample("leadwire_schema_version", [], try database.schemaVersion())
        out.family("leadwire_build_info", "gauge", "The Leadwire build answering, as a label.")
        out.sample("leadwire_build_info", [("version", LeadwireVersion.string)], Int64(1))
    }

    /// Seconds from a stored time to now; 0 for none (or one in the future).
    static func age(of stored: String?, now: Timestamp) -> Double {
        guard let stored, let microseconds = ISO8601Time.microseconds(stored) else { return 0 }
        return max(0, Double(now.millisecondsSince1970 - microseconds / 1000) / 1000)
    }
}
