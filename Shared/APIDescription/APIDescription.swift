import FunctionCatalog
public import FunctionKit

/// The OpenAPI 3.1 description of every endpoint, served by `runtime serve` at `/openapi.json`:
/// the catalog's functions in its order, each with its operations (Operations/, one file per
/// function) at each of its routes, and the components they share. A route of a function that no
/// operation lies under is another address of the function's first route (an older path CRMs
/// still call), and gets the same operations. Tests hold it to the router, and CI runs
/// schemathesis against `runtime serve` with it.
public enum APIDescription {
    /// Each function's operations, by the catalog's name.
    static let operations: [String: [Operation]] = [
        "kommo-webhook": kommoWebhook, "amocrm-webhook": amocrmWebhook, "knowlarity-webhook": knowlarityWebhook,
        "admin-webhook-logs": adminWebhookLogs, "export": export, "leads": leads, "dashboard": dashboard, "metrics": metrics, "webhook-subscriptions": webhookSubscriptions, "kommo-oauth": kommoOAuth,
        "widget-request": widgetRequest, "health": health,
    ]

    /// This document's own operation.
    static let itself = Operation(
        method: "get", path: "/openapi.json", id: "openAPI", summary: "This document (served by runtime serve)", tags: ["operations"],
        answers: [200: .json("OK", .object)])

    /// Every (path, operation, its id) in the document, aliases included.
    public static var placed: [(path: String, operation: Operation, id: String)] {
        let placed = Catalog.functions.flatMap { function in
            function.atEveryRoute(operations[function.name] ?? [], path: \.path).map { placement in
                (placement.path, placement.item, placement.alias.map { "\(placement.item.id)AtAlias\($0)" } ?? placement.item.id)
            }
        }
        return placed + [(itself.path, itself, itself.id)]
    }

    public static var document: JSONValue {
        var paths = JSONObject()
        for (path, operation, id) in placed {
            var methods: JSONObject
            if case .object(let existing) = paths[path] { methods = existing } else { methods = JSONObject() }
            methods[operation.method] = operation.json(operationID: id)
            paths[path] = .object(methods)
        }
        return .object(
            JSONObject([
                ("openapi", .string("3.1.0")),
                (
                    "info",
                    .object(
                        JSONObject([
                            ("title", .string("Leadwire")), ("version", .string(LeadwireVersion.string)),
                            (
                                "description",
                                .string("Every endpoint of Leadwire's functions, as runtime serve and the generated web-server configurations route them.")
                            ),
                        ]))
                ),
                ("paths", .object(paths)),
                ("components", components),
            ]))
    }

    public static var json: String { document.jsonText }
}
