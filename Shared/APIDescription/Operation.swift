import FunctionKit

/// One operation of the OpenAPI document: a method on a path below its function's route. A
/// function served at several routes (an older path kept for CRMs that still call it) gets the
/// same operations at each.
public struct Operation: Sendable {
    public let method: String
    /// Below the function's route: "" for the route itself, "/{id}", "/viewer".
    public let path: String
    public let id: String
    let summary: String
    let tags: [String]
    var adminKey = false
    var parameters: [Parameter] = []
    var body: RequestBody?
    var answers: KeyValuePairs<Int, Answer> = [:]
    /// The error statuses it may answer, each with the error shape every function uses.
    var errors: [Int] = []

    func json(operationID: String) -> JSONValue {
        var members: [(key: String, value: JSONValue)] = [
            ("operationId", .string(operationID)), ("summary", .string(summary)), ("tags", .array(tags.map(JSONValue.string))),
        ]
        if adminKey { members.append(("security", .array([.object(JSONObject([("adminKey", .array([]))]))]))) }
        if !parameters.isEmpty { members.append(("parameters", .array(parameters.map(\.json)))) }
        if let body { members.append(("requestBody", body.json)) }
        let all = answers.map { ($0.key, $0.value) } + errors.map { ($0, Answer.error) }
        members.append(("responses", .object(JSONObject(all.sorted { $0.0 < $1.0 }.map { (String($0.0), $0.1.json) }))))
        return .object(JSONObject(members))
    }
}

enum Parameter: Sendable {
    /// The webhook token (`?token=`), described once among the components.
    case token
    case query(String, Schema, required: Bool = false, description: String? = nil)
    case path(String, Schema)

    var json: JSONValue {
        switch self {
        case .token:
            return .object(JSONObject([("$ref", .string("#/components/parameters/Token"))]))
        case .query(let name, let schema, let required, let description):
            var members: [(key: String, value: JSONValue)] = [
                ("name", .string(name)), ("in", .string("query")), ("required", .bool(required)), ("schema", schema.json),
            ]
            if let description { members.append(("description", .string(description))) }
            return .object(JSONObject(members))
        case .path(let name, let schema):
            return .object(JSONObject([("name", .string(name)), ("in", .string("path")), ("required", .bool(true)), ("schema", schema.json)]))
        }
    }
}

enum RequestBody: Sendable {
    /// A webhook's body, form-encoded or JSON, described once among the components.
    case webhook
    case json(Schema, required: Bool = true)

    var json: JSONValue {
        switch self {
        case .webhook:
            .object(JSONObject([("$ref", .string("#/components/requestBodies/Webhook"))]))
        case .json(let schema, let required):
            .object(JSONObject([("required", .bool(required)), ("content", mediaTypes(["application/json": schema]))]))
        }
    }
}

enum Answer: Sendable {
    /// The error shape every function answers with.
    case error
    /// A Kommo webhook's answer (what happened to each event).
    case kommoAnswer
    case json(String, Schema)
    /// A redirect, or an answer with headers of note.
    case jsonWithHeaders(String, Schema, headers: KeyValuePairs<String, Schema>)
    /// Other media types, or several.
    case content(String, KeyValuePairs<String, Schema>)

    var json: JSONValue {
        switch self {
        case .error: reference("responses/Error")
        case .kommoAnswer: reference("responses/KommoAnswer")
        case .json(let description, let schema):
            .object(JSONObject([("description", .string(description)), ("content", mediaTypes(["application/json": schema]))]))
        case .jsonWithHeaders(let description, let schema, let headers):
            .object(
                JSONObject([
                    ("description", .string(description)),
                    ("headers", .object(JSONObject(headers.map { ($0.key, .object(JSONObject([("schema", $0.value.json)]))) }))),
                    ("content", mediaTypes(["application/json": schema])),
                ]))
        case .content(let description, let types):
            .object(JSONObject([("description", .string(description)), ("content", mediaTypes(types))]))
        }
    }
}

private func reference(_ component: String) -> JSONValue {
    .object(JSONObject([("$ref", .string("#/components/\(component)"))]))
}

func mediaTypes(_ types: KeyValuePairs<String, Schema>) -> JSONValue {
    .object(JSONObject(types.map { ($0.key, .object(JSONObject([("schema", $0.value.json)]))) }))
}
