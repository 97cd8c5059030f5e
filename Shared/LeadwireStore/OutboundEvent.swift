public import LeadwireCore

/// An event for the outbound webhook subscribers (seed 004's payload shape: `event`,
/// `timestamp`, `data`, `metadata`). `emit` must run inside the transaction of the change that
/// caused it: the event then exists exactly when the change does, never for one rolled back.
public struct OutboundEvent: Sendable {
    public let type: String
    public let data: JSONObject
    public let metadata: JSONObject

    public init(_ type: String, data: JSONObject, metadata: JSONObject) {
        self.type = type
        self.data = data
        self.metadata = metadata
    }

    /// Every kind of event a subscription can ask for (`*` asks for all).
    public static let types = [
        "lead.created", "lead.updated", "lead.status_changed", "lead.responsible_changed", "lead.deleted", "lead.restored",
        "tag.added", "tag.removed", "customfield.updated", "sale.recorded", "call.received", "lead.source_added",
        "export.completed", "webhook.test", "user.created", "user.updated", "user.deleted", "alert.raised", "alert.resolved",
    ]

    /// The event type a queued payload carries. `payload(id:at:)` writes it first, so the
    /// worker reads it from the prefix instead of parsing every payload it sends; anything
    /// else (a payload written another way) is parsed in full.
    public static func type(ofPayload payload: String) -> String? {
        let prefix = #"{"event":""#
        if payload.hasPrefix(prefix), let end = payload.utf8.dropFirst(prefix.utf8.count).firstIndex(of: UInt8(ascii: "\"")) {
            let type = String(payload[payload.index(payload.startIndex, offsetBy: prefix.count)..<end])
            if knownTypes.contains(type) { return type }
        }
        return (try? JSONValue(parsing: payload))?["event"]?.text
    }

    private static let knownTypes = Set(types)

    /// The body every subscriber receives, byte for byte (signatures are over these bytes).
    public func payload(id: String, at time: Timestamp) -> String {
        JSONValue.object(
            JSONObject([
                ("event", .string(type)), ("id", .string(id)), ("timestamp", .string(time.iso8601)),
                ("data", .object(data)), ("metadata", .object(metadata)),
            ])
        ).jsonText
    }
}

/// Fans events out to the subscriptions that asked for them, inside the caller's transaction.
/// Made once per request: one small query says which event types anyone wants, so a store
/// without subscriptions pays nothing more per event. The query is prefetched: on PostgreSQL it
/// travels with the request's next statement instead of costing a round trip of its own.
public struct EventFanOut {
    private let database: Database
    private let wanted: Prefetched<Set<String>>

    public init(database: Database) throws(StoreError) {
        self.database = database
        wanted = try database.prefetch(
            "SELECT DISTINCT \(database.dialect.jsonText("e.value", [])) FROM webhook_subscriptions s, "
                + "\(database.dialect.jsonArrayElements("s.events", as: "e")) WHERE s.active = TRUE"
        ) { rows in Set(rows.compactMap { $0[0].text }) }
    }

    /// Whether any active subscription wants any event: when none does, callers skip working
    /// out their events at all.
    public var wantsAny: Bool {
        get throws(StoreError) { try !wanted.value().isEmpty }
    }

    /// Whether any active subscription wants events of this type.
    public func wants(_ type: String) throws(StoreError) -> Bool {
        let types = try wanted.value()
        return types.contains(type) || types.contains("*")
    }

    /// Queues one message per active subscription that asked for the event, all with one event
    /// id (the `webhook-id` receivers de-duplicate by). Sent with the request's next statement.
    public func emit(_ event: OutboundEvent, at time: Timestamp = .now()) throws(StoreError) {
        guard try wants(event.type) else { return }
        let id = Identifiers.timeOrdered("msg_")
        try database.write(
            """
            INSERT INTO outbox (topic, payload, idempotency_key, subscription_id, event_id)
            SELECT 'webhook', ?2, ?3 || ':' || s.id, s.id, ?3
            FROM webhook_subscriptions s
            WHERE s.active = TRUE
                AND EXISTS (SELECT 1 FROM \(database.dialect.jsonArrayElements("s.events", as: "e")) WHERE \(database.dialect.jsonText("e.value", [])) IN (?1, '*'))
            """, [.text(event.type), .text(event.payload(id: id, at: time)), .text(id)])
    }
}
