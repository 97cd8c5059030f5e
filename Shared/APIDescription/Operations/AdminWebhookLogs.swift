import FunctionCatalog

extension APIDescription {
    /// A log's id: its source and its row's id (`kommo:<uuid>`, `amocrm:42`).
    static let logIDPattern = "^(" + Catalog.logSources.joined(separator: "|") + "):[A-Za-z0-9-]+$"

    /// admin-webhook-logs: /api/admin/webhook-logs
    static let adminWebhookLogs: [Operation] = [
        Operation(
            method: "get", path: "/api/admin/webhook-logs", id: "listWebhookLogs",
            summary: "Every inbound log, newest first, paged",
            tags: ["admin"],
            adminKey: true,
            parameters: [
                .query("source", .oneOf(Catalog.logSources)),
                .query("status", .oneOf("success", "error", "partial")),
                .query("routing", .oneOf("referral", "traffic", "both", "unknown")),
                .query("lead_id", .integer.format("int64")),
                .query("since", .string.format("date-time"), description: "ISO 8601 date or time; compared as an instant"),
                .query("until", .string.format("date-time"), description: "ISO 8601 date or time, exclusive"),
                .query("q", .string.maxLength(200)),
                .query("limit", .integer.minimum(1).maximum(1000).defaultValue(50)),
                .query("cursor", .integer.minimum(1), description: "next_cursor of the previous page"),
            ],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .constant(true),
                        "logs": .array(of: .object(
                        [
                            "seq": .integer,
                            "id": .string,
                            "source": .string,
                            "received_at": .string,
                            "status": .string,
                            "outcome": .type("string", "null").described("What processing did, where the function says (knowlarity: new_lead, same_source_repeat, cross_source_repeat, updated, duplicate_call, no_lead)"),
                            "processed_at": .type("string", "null").described("When processing finished; received_at is when the request arrived"),
                            "processing_ms": .type("integer", "null").described("Milliseconds from arrival to the end of processing (null for rows stored before it was kept)"),
                        ], required: ["id", "source", "received_at", "status"])),
                        "pagination": .object(
                        [
                            "next_cursor": .type("integer", "null"),
                            "next": .type("string", "null").described("The next page's query (the filters as understood and the cursor), relative to this listing's address; null on the last page"),
                        ], required: ["limit", "has_more"]),
                    ], required: ["success", "logs", "pagination"])),
            ],
            errors: [400, 401, 403, 503]
        ),
        Operation(
            method: "get", path: "/api/admin/webhook-logs/viewer", id: "webhookLogsViewer",
            summary: "The logs viewer page (it asks for a key itself)",
            tags: ["admin"],
            answers: [
                200: .content("OK", ["text/html; charset=utf-8": .string]),
            ]
        ),
        Operation(
            method: "get", path: "/api/admin/webhook-logs/{id}", id: "getWebhookLog",
            summary: "One log with its payload, results and raw body",
            tags: ["admin"],
            adminKey: true,
            parameters: [
                .path("id", .string.pattern(logIDPattern)),
            ],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .constant(true),
                        "log": .object(
                        [
                            "seq": .integer,
                            "id": .string,
                            "source": .string,
                            "received_at": .string,
                            "status": .string,
                            "outcome": .type("string", "null").described("What processing did, where the function says (knowlarity: new_lead, same_source_repeat, cross_source_repeat, updated, duplicate_call, no_lead)"),
                            "processed_at": .type("string", "null").described("When processing finished; received_at is when the request arrived"),
                            "processing_ms": .type("integer", "null").described("Milliseconds from arrival to the end of processing (null for rows stored before it was kept)"),
                        ], required: ["id", "source", "received_at", "status"]),
                    ], required: ["success", "log"])),
            ],
            errors: [400, 401, 403, 404, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/webhook-logs/{id}/replay", id: "replayWebhookLog",
            summary: "Run a stored event through its function again",
            tags: ["admin"],
            adminKey: true,
            parameters: [
                .path("id", .string.pattern(logIDPattern)),
            ],
            answers: [
                200: .json("OK", .object([:], required: ["success", "replay_of", "status", "result"])),
            ],
            errors: [400, 401, 403, 404, 409, 502, 503]
        ),
    ]
}
