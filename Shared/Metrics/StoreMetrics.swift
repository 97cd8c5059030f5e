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

    /// Requests by source and status, and each source's processing time.
    static func intake(_ database: Database, into out: inout Exposition) throws {
        let bucketColumns = buckets.map { "sum(CASE WHEN processing_ms <= \($0) THEN 1 ELSE 0 END)" }.joined(separator: ", ")
        let rows = try database.query(
            """
            SELECT source, status, count(*), count(processing_ms), coalesce(sum(processing_ms), 0), \(bucketColumns)
            FROM inbound_logs GROUP BY source, status ORDER BY source, status
            """)
        out.family("leadwire_intake_requests_total", "counter", "Inbound requests logged, by source and processing status.")
        for row in rows {
            out.sample("leadwire_intake_requests_total", [("source", row[0].text ?? ""), ("status", row[1].text ?? "")], row[2].integer ?? 0)
        }
        out.family("leadwire_intake_processing_seconds", "histogram", "Time from a request's arrival to the end of its processing, by source.")
        var sources: [String] = []
        var bySource: [String: (count: Int64, sumMilliseconds: Int64, buckets: [Int64])] = [:]
        for row in rows {
            let source = row[0].text ?? ""
            if bySource[source] == nil { sources.append(source) }
            var totals = bySource[source] ?? (0, 0, Array(repeating: 0, count: buckets.count))
            totals.count += row[3].integer ?? 0
            totals.sumMilliseconds += row[4].integer ?? 0
            for index in buckets.indices { totals.buckets[index] += row[5 + index].integer ?? 0 }
            bySource[source] = totals
        }
        for source in sources {
            guard let totals = bySource[source] else { continue }
            for (index, limit) in buckets.enumerated() {
                out.sample("leadwire_intake_processing_seconds_bucket", [("source", source), ("le", Exposition.number(Double(limit) / 1000))], totals.buckets[index])
            }
            out.sample("leadwire_intake_processing_seconds_bucket", [("source", source), ("le", "+Inf")], totals.count)
            out.sample("leadwire_intake_processing_seconds_sum", [("source", source)], Double(totals.sumMilliseconds) / 1000)
            out.sample("leadwire_intake_processing_seconds_count", [("source", source)], totals.count)
        }
    }

    /// Outbox messages by topic and state, and how long the oldest pending one has waited.
    static func outbox(_ database: Database, now: Timestamp, into out: inout Exposition) throws {
        out.family("leadwire_outbox_messages", "gauge", "Outbox messages (webhook deliveries, notices, widget replies), by topic and state.")
        for row in try database.query("SELECT topic, status, count(*) FROM outbox GROUP BY topic, status ORDER BY topic, status") {
            out.sample("leadwire_outbox_messages", [("topic", row[0].text ?? ""), ("state", row[1].text ?? "")], row[2].integer ?? 0)
        }
        let oldest = try database.queryRow("SELECT min(created_at) FROM outbox WHERE status = 'pending'")?[0].text
        out.family("leadwire_outbox_oldest_pending_age_seconds", "gauge", "Seconds the oldest pending outbox message has waited (0 when none is pending).")
        out.sample("leadwire_outbox_oldest_pending_age_seconds", [], age(of: oldest, now: now))
    }

    /// Delivery attempts by subscription and result, and the subscriptions switched off.
    static func deliveries(_ database: Database, into out: inout Exposition) throws {
        out.family("leadwire_webhook_deliveries_total", "counter", "Outbound delivery attempts, by subscription and result.")
        let rows = try database.query(
            """
            SELECT s.id, s.name, d.status, count(*) FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
            GROUP BY s.id, s.name, d.status ORDER BY s.id, d.status
            """)
        for row in rows {
            out.sample(
                "leadwire_webhook_deliveries_total",
                [("subscription", row[0].text ?? ""), ("name", row[1].text ?? ""), ("result", row[2].text ?? "")], row[3].integer ?? 0)
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
