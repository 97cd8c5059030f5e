import FunctionKit

/// What several operations share: the error shape, a webhook's token, body and answer, the admin
/// key, the subscription API's schemas.
extension APIDescription {
    static var components: JSONValue {
        .object(
            JSONObject([
                ("parameters", .object(JSONObject([("Token", webhookToken.json)]))),
                ("requestBodies", .object(JSONObject([("Webhook", webhookBody)]))),
                ("securitySchemes", .object(JSONObject([("adminKey", adminKey)]))),
                ("schemas", .object(JSONObject(schemas.map { ($0.key, $0.value.json) }))),
                ("responses", .object(JSONObject(answers.map { ($0.key, $0.value.json) }))),
            ]))
    }

    private static let webhookToken = Parameter.query(
        "token", .string,
        description: """
            The webhook secret, when the function's LEADWIRE_*_WEBHOOK_TOKEN is set (or the X-Webhook-Token header). A webhook with no \
            token, signing secret or allowlist answers 401 intake_closed unless LEADWIRE_*_WEBHOOK_AUTH=none opens it (runtime serve \
            does so on 127.0.0.1).
            """)

    private static let webhookBody = JSONValue.object(
        JSONObject([
            ("required", .bool(true)),
            ("content", mediaTypes(["application/x-www-form-urlencoded": .object.additionalProperties(.string), "application/json": .object])),
        ]))

    private static let adminKey = JSONValue.object(
        JSONObject([
            ("type", .string("http")), ("scheme", .string("bearer")),
            ("description", .string("An admin key from `runtime keys create`; each route needs its scope.")),
        ]))

    /// A subscription's fields, as created (name, url and events required) or changed (any of them).
    private static let subscriptionFields: KeyValuePairs<String, Schema> = [
        "name": .string.minLength(1).maxLength(200),
        "url": .string.maxLength(2048).described("https; public addresses only unless LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1"),
        "events": .array(of: .string).minItems(1).maxItems(100),
        "description": .type("string", "null").maxLength(1000),
        "retryAttempts": .integer.minimum(0).maximum(20).defaultValue(3),
        "retryDelay": .integer.minimum(1).maximum(86400).defaultValue(60),
        "timeoutMs": .integer.minimum(100).maximum(30000).defaultValue(10000),
        "active": .boolean.defaultValue(true),
    ]

    private static let schemas: KeyValuePairs<String, Schema> = [
        "Error": .object(
            ["error": .object(["code": .string.allowing(ErrorCode.all.map(\.rawValue)), "message": .string], required: ["code", "message"])],
            required: ["error"]),
        "WebhookCreate": .object(subscriptionFields, required: ["name", "url", "events"]).closed,
        "WebhookUpdate": .object(subscriptionFields).closed,
        "WebhookAnswer": .object(
            ["success": .boolean, "webhook": .object, "webhooks": .array, "delivery": .object, "secret": .string], required: ["success"]),
        // The original export guide's user: a person of leads_master, as the person endpoints and user.* events show them.
        "User": .object(
            [
                "id": .integer, "firstName": .type("string", "null"), "lastName": .type("string", "null"), "fullName": .type("string", "null"),
                "phone": .string, "optIns": .object, "exportConsent": .object, "tags": .array, "customFields": .object,
            ], required: ["id", "phone", "optIns", "exportConsent", "tags", "customFields"]),
        // A row of kommo_leads as the Kommo guide's frontend reads it.
        "Lead": .object(
            [
                "id": .string, "kommo_id": .integer, "account_id": .integer, "account_subdomain": .type("string", "null"),
                "name": .type("string", "null"), "status_id": .type("integer", "null"), "pipeline_id": .type("integer", "null"),
                "responsible_user_id": .type("integer", "null"), "price": .type("number", "null"), "event_type": .type("string", "null"),
                "is_deleted": .boolean, "crm_updated_at": .type("integer", "null"), "created_at": .string, "updated_at": .string,
                "raw_data": .type("object", "null"),
            ], required: ["id", "kommo_id", "account_id", "is_deleted", "created_at", "updated_at"]),
        "Health": .object(
            ["status": .oneOf("ok", "unavailable"), "version": .string, "schema_version": .integer, "message": .string],
            required: ["status", "version"]),
    ]

    private static let answers: KeyValuePairs<String, Answer> = [
        "KommoAnswer": .json(
            "What happened to each event",
            .object(["status": .oneOf("success", "partial", "error"), "log_id": .string, "results": .array], required: ["status", "log_id", "results"])),
        "Error": .json("An error: every one has this shape", .ref("Error")),
    ]
}
