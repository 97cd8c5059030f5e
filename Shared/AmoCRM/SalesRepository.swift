import FunctionKit
import LeadwireStore

/// One won deal, as the sales tables record it.
struct Sale {
    let accountID: Int64
    let leadID: Int64
    let leadName: String?
    let pipelineID: Int64?
    let statusID: Int64?
    let amount: Double?
    let utm: UTMValues
    let routing: Routing
    /// The deal's modification time in amoCRM, as UTC ISO 8601 text.
    let soldAt: String?
}

extension Sale {
    /// `sale.recorded`: the sale with its route, for outbound subscribers.
    var recordedEvent: OutboundEvent {
        let sale = JSONObject(
            [
                ("account_id", JSONValue(accountID)), ("lead_id", JSONValue(leadID)), ("lead_name", JSONValue(leadName)),
                ("pipeline_id", JSONValue(pipelineID)), ("status_id", JSONValue(statusID)),
                ("amount", amount.map { .number(String($0)) } ?? .null), ("sold_at", JSONValue(soldAt)),
                ("routing_decision", .string(routing.decision.rawValue)), ("referral_code", JSONValue(routing.referralCode)),
                ("targetologist", JSONValue(routing.targetologist)),
            ] + UTMParameter.allCases.map { (key: $0.rawValue, value: JSONValue(utm[$0])) })
        return OutboundEvent(
            "sale.recorded", data: JSONObject([("sale", .object(sale))]),
            metadata: JSONObject([("source", "amocrm-webhook"), ("action", "recorded")]))
    }
}

/// Writes sales to `referral_sales` and `all_sales_tracking`, at most once per deal: the tables
/// are unique on (account, lead), so a repeated delivery of the same won deal inserts nothing.
struct SalesRepository {
    let database: Database

    /// Records the sale in the table(s) its routing names; returns whether anything was new.
    func record(_ sale: Sale) throws -> Bool {
        var recorded = false
        if let code = sale.routing.referralCode {
            recorded = try insert(into: "referral_sales", column: "referral_code", value: code, sale) || recorded
        }
        if let targetologist = sale.routing.targetologist {
            let inserted = try insert(into: "all_sales_tracking", column: "targetologist", value: targetologist, sale)
            if inserted { try enqueueTrafficNotice(sale, targetologist: targetologist) }
            recorded = inserted || recorded
        }
        return recorded
    }

    private func insert(into table: String, column: String, value: String, _ sale: Sale) throws -> Bool {
        try database.run(
            """
            INSERT INTO \(table) (account_id, lead_id, lead_name, pipeline_id, status_id, amount, \(column),
                utm_source, utm_medium, utm_campaign, utm_content, utm_term, routing_decision, sold_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (account_id, lead_id) DO NOTHING
            """,
            [
                .integer(sale.accountID), .integer(sale.leadID), SQLValue(sale.leadName), SQLValue(sale.pipelineID),
                SQLValue(sale.statusID), SQLValue(sale.amount), .text(value),
            ] + UTMParameter.allCases.map { SQLValue(sale.utm[$0]) } + [.text(sale.routing.decision.rawValue), SQLValue(sale.soldAt)]
        ) == 1
    }

    /// Seed 001 tells the traffic team about each sale on Telegram. The worker delivers it; here
    /// it is queued in the same transaction as the sale, once per deal.
    private func enqueueTrafficNotice(_ sale: Sale, targetologist: String) throws {
        let amount = sale.amount.map { Int64(exactly: $0).map(String.init) ?? String($0) } ?? "no amount"
        let text = "New sale: \(sale.leadName ?? "deal \(sale.leadID)") (\(amount)), targetologist \(targetologist), utm_source \(sale.utm[.source] ?? "none")"
        let payload: JSONValue = [
            "text": .string(text), "lead_id": JSONValue(sale.leadID), "account_id": JSONValue(sale.accountID),
            "targetologist": .string(targetologist), "amount": sale.amount.map { .number(String($0)) } ?? .null,
            "utm_source": JSONValue(sale.utm[.source]), "utm_campaign": JSONValue(sale.utm[.campaign]),
        ]
        try Outbox.enqueue(
            topic: "telegram.traffic_sale", payload: payload.jsonText, idempotencyKey: "amocrm:\(sale.accountID):\(sale.leadID):traffic_sale",
            in: database)
    }
}
