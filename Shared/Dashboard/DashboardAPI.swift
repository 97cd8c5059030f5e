import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// dashboard: how the business and the pipes are doing, at a glance.
///
/// - `GET /api/admin/stats?from=YYYY-MM-DD&to=YYYY-MM-DD&bucket=day|week` (scope `stats:read`):
///   leads, calls and won deals per bucket of local days in `LEADWIRE_TIME_ZONE`, the top UTM
///   sources and targetologists, intake requests and processing time per source, outbound
///   deliveries per subscription. The last 30 days by default.
/// - `GET /api/admin/dashboard`: the page that draws them (it asks for a key; data needs one).
public enum DashboardAPI {
    public static let name = "dashboard"
    static let statsPath = "/api/admin/stats"
    static let pagePath = "/api/admin/dashboard"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try AdminHeaders.around(request, context) {
            switch request.path {
            case pagePath:
                try request.require(method: .get, .head)
                return DashboardPage.response
            case statsPath:
                try request.require(method: .get, .head)
                let zone = try TimeZoneRule(context.environment["LEADWIRE_TIME_ZONE"] ?? "Asia/Kolkata")
                let database = try context.openStore()
                _ = try request.requireAdminKey(.statsRead, in: database)
                let now = context.clock()
                let range = try StatsRange(request.query, zone: zone, now: now)
                return .json(try Stats(range: range, database: database, now: now).json())
            default:
                throw HTTPError.notFound("No such resource: \(request.path.prefix(200)); the stats are at \(statsPath), the page at \(pagePath).")
            }
        }
    }
}
