import FunctionCatalog
import FunctionKit

/// `GET /` on `runtime serve`: where to go from here, for a person who opens the server's
/// address, rather than a bare 404.
enum ServiceIndex {
    static let response: Response = {
        let functions = Catalog.functions.map { function -> JSONValue in
            .object(
                JSONObject([
                    ("name", .string(function.name)), ("routes", .array(function.routes.map { .string($0.path) })),
                    ("summary", .string(function.summary)),
                ]))
        }
        return .json(
            .object(
                JSONObject([
                    ("service", "leadwire"), ("version", .string(LeadwireVersion.string)),
                    ("openapi", "/openapi.json"), ("health", "/health"),
                    ("viewers", ["/api/admin/webhook-logs/viewer", "/api/admin/webhooks/viewer"]),
                    ("functions", .array(functions)),
                ])))
    }()

    /// A path no function serves: the 404 says where the map is.
    static func notFound(_ path: String) -> Response {
        HTTPError.notFound("No function serves \(path). GET / lists the functions and their routes; /openapi.json describes them.").response
    }
}
