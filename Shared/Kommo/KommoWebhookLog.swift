import FunctionKit
import HTTPTypes
import LeadwireStore
import WebhookIntake

/// One row of `kommo_webhook_logs`: what arrived (raw), what it parsed to, and what became of it.
struct KommoWebhookLog {
    enum Status: String { case success, partial, error }

    var eventType: String
    var payload: JSONValue?
    var results: JSONValue?
    var status: Status
    var errorMessage: String?
    var accountID: Int64?
    var accountSubdomain: String?
    var request: Request

    init(_ arrival: Arrival<KommoProcessing>, request: Request) {
        self.request = request
        switch arrival {
        case .processed(let body, let processing):
            eventType = processing.payload.eventKinds
            payload = body
            results = processing.resultsJSON
            status = processing.status
            errorMessage = processing.results.compactMap(\.error).first
            accountID = processing.payload.accountID
            accountSubdomain = processing.payload.accountSubdomain
        case .failed(let body, let reason):
            let parsed = KommoWebhookPayload(body)
            eventType = parsed.eventKinds
            payload = body
            status = .error
            errorMessage = reason
            accountID = parsed.accountID
            accountSubdomain = parsed.accountSubdomain
        case .refused(let error):
            eventType = "unknown"
            status = .error
            errorMessage = "\(error.code): \(error.message)"
        }
    }

    /// Inserts the row and returns its id. The raw body is kept byte for byte (a BLOB when it
    /// is not UTF-8), also when it was refused or ended early.
    func insert(into database: Database) throws -> String {
        let id = Identifiers.uuid()
        try database.write(
            """
            INSERT INTO kommo_webhook_logs (id, event_type, payload, results, status, error_message, account_id,
                account_subdomain, content_type, raw_body, remote_addr, created_at, processed_at, processing_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                .text(id), .text(eventType), SQLValue(payload?.jsonText), SQLValue(results?.jsonText), .text(status.rawValue),
                SQLValue(errorMessage), SQLValue(accountID), SQLValue(accountSubdomain), SQLValue(request.headers[.contentType]),
                request.rawBodyColumn(in: database.dialect),
                SQLValue(request.remoteAddress),
            ] + ProcessingTime(of: request).columns)
        return id
    }
}
