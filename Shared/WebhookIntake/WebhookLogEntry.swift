public import FunctionKit
public import LeadwireStore
import HTTPTypes

/// One row of `webhook_logs` (seed 001's columns exactly), the log every inbound source but
/// Kommo writes; `source` tells them apart (`amocrm`, `knowlarity`).
public struct WebhookLogEntry: Sendable {
    public enum Status: String, Sendable { case success, error, partial }

    public var source: String
    public var pipelineID: Int64?
    public var leadID: Int64?
    /// The full payload as parsed; for a refused body, `Request.rawBodyJSON`.
    public var dealData: JSONValue?
    public var utmSource: String?
    public var utmCampaign: String?
    public var routingDecision: String?
    public var status: Status
    public var errorMessage: String?
    /// What processing did, in the function's own words (`new_lead`, `updated`, `duplicate_call`).
    public var outcome: String?

    public init(
        source: String, pipelineID: Int64? = nil, leadID: Int64? = nil, dealData: JSONValue?, utmSource: String? = nil,
        utmCampaign: String? = nil, routingDecision: String? = nil, status: Status, errorMessage: String? = nil,
        outcome: String? = nil
    ) {
        self.source = source
        self.pipelineID = pipelineID
        self.leadID = leadID
        self.dealData = dealData
        self.utmSource = utmSource
        self.utmCampaign = utmCampaign
        self.routingDecision = routingDecision
        self.status = status
        self.errorMessage = errorMessage
        self.outcome = outcome
    }

    /// The entry for a body that was refused unread or unparsed: the raw body is kept exactly
    /// (see `Request.rawBodyJSON`), or only its size when it was over the limit.
    public static func refusal(source: String, _ error: HTTPError, request: Request) -> WebhookLogEntry {
        WebhookLogEntry(source: source, dealData: .object(request.rawBodyJSON), status: .error, errorMessage: "\(error.code): \(error.message)")
    }

    /// The entry for a body whose processing threw (and was undone): kept for a replay.
    public static func failure(source: String, body: JSONValue, reason: String) -> WebhookLogEntry {
        WebhookLogEntry(source: source, dealData: body, status: .error, errorMessage: reason)
    }

    /// Inserts the row, stamped with when `request` arrived and how long it took; returns its
    /// id, which on PostgreSQL arrives with the transaction's next round trip (its commit).
    @discardableResult
    public func insert(into database: Database, for request: Request) throws -> Prefetched<Int64> {
        try database.prefetch(
            """
            INSERT INTO webhook_logs (source, pipeline_id, lead_id, deal_data, utm_source, utm_campaign, routing_decision,
                processing_status, error_message, outcome, received_at, processed_at, processing_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            RETURNING id
            """,
            [
                .text(source), SQLValue(pipelineID), SQLValue(leadID), SQLValue(dealData?.jsonText), SQLValue(utmSource),
                SQLValue(utmCampaign), SQLValue(routingDecision), .text(status.rawValue), SQLValue(errorMessage),
                SQLValue(outcome),
            ] + ProcessingTime(of: request).columns
        ) { rows in rows.first?[0].integer ?? 0 }
    }
}
