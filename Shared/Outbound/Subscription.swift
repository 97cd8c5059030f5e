public import FunctionKit
public import LeadwireStore

/// A webhook subscription as seed 004 shows it, without its secret (shown once, at creation).
public struct Subscription: Sendable {
    public var id: String
    public var name: String
    public var url: String
    public var events: [String]
    public var description: String?
    public var retryAttempts: Int64
    public var retryDelay: Int64
    public var timeoutMs: Int64
    public var active: Bool
    public var disabledReason: String?
    public var successCount: Int64
    public var failedCount: Int64
    public var lastDeliveryStatus: String?
    public var lastDeliveryAt: String?
    public var createdAt: String
    public var updatedAt: String

    static let columns = """
        id, name, url, events, description, retry_attempts, retry_delay, timeout_ms, active, disabled_reason,
        success_count, failed_count, last_delivery_status, last_delivery_at, created_at, updated_at
        """

    init(_ row: Row) {
        id = row[0].text ?? ""
        name = row[1].text ?? ""
        url = row[2].text ?? ""
        events = ((try? JSONValue(parsing: row[3].text ?? "[]"))?.elements ?? []).compactMap(\.text)
        description = row[4].text
        retryAttempts = row[5].integer ?? 0
        retryDelay = row[6].integer ?? 0
        timeoutMs = row[7].integer ?? 0
        active = row[8].integer == 1
        disabledReason = row[9].text
        successCount = row[10].integer ?? 0
        failedCount = row[11].integer ?? 0
        lastDeliveryStatus = row[12].text
        lastDeliveryAt = row[13].text
        createdAt = row[14].text ?? ""
        updatedAt = row[15].text ?? ""
    }

    public var json: JSONObject {
        JSONObject([
            ("id", .string(id)), ("name", .string(name)), ("url", .string(url)), ("events", .array(events.map { .string($0) })),
            ("description", JSONValue(description)), ("retryAttempts", JSONValue(retryAttempts)), ("retryDelay", JSONValue(retryDelay)),
            ("timeoutMs", JSONValue(timeoutMs)), ("active", .bool(active)), ("disabledReason", JSONValue(disabledReason)),
            ("successCount", JSONValue(successCount)), ("failedCount", JSONValue(failedCount)),
            ("lastDeliveryStatus", JSONValue(lastDeliveryStatus)), ("lastDeliveryAt", JSONValue(lastDeliveryAt)),
            ("createdAt", .string(createdAt)), ("updatedAt", .string(updatedAt)),
        ])
    }
}

/// One attempt to deliver a message, as `GET /api/admin/webhooks/{id}` lists them.
public struct DeliveryAttempt: Sendable {
    public let row: Row

    static let columns = "d.id, d.outbox_id, d.event_id, d.event_type, d.attempt, d.status, d.http_status, d.response_excerpt, d.error, d.duration_ms, d.created_at, o.status"

    public var id: Int64 { row[0].integer ?? 0 }
    public var status: String { row[5].text ?? "" }

    public var json: JSONValue {
        .object(
            JSONObject([
                ("id", JSONValue(row[0].integer)), ("messageId", JSONValue(row[1].integer)), ("eventId", JSONValue(row[2].text)),
                ("event", JSONValue(row[3].text)), ("attempt", JSONValue(row[4].integer)), ("status", JSONValue(row[5].text)),
                ("httpStatus", JSONValue(row[6].integer)), ("responseBody", JSONValue(row[7].text)), ("error", JSONValue(row[8].text)),
                ("durationMs", JSONValue(row[9].integer)), ("createdAt", JSONValue(row[10].text)), ("messageStatus", JSONValue(row[11].text)),
            ]))
    }
}
