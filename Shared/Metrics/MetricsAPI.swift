import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// metrics: `GET /metrics` in Prometheus' text format, for a scraper holding a key of scope
/// `metrics:read` (Prometheus' `authorization: {credentials_file: …}`): intake by source and
/// status with processing-time histograms, the outbox, deliveries, disabled subscriptions, the
/// pollers, the store's size and schema version.
public enum MetricsAPI {
    public static let name = "metrics"
    static let path = "/metrics"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try AdminHeaders.around(request, context) {
            guard request.path == path else { throw HTTPError.notFound("The metrics are at \(path).") }
            try request.require(method: .get, .head)
            let database = try context.openStore()
            _ = try request.requireAdminKey(.metricsRead, in: database)
            var exposition = Exposition()
            try StoreMetrics.write(database, now: context.clock(), into: &exposition)
            var headers = HTTPFields()
            headers[.contentType] = Exposition.contentType
            return Response(headers: headers, body: Array(exposition.text.utf8))
        }
    }
}
