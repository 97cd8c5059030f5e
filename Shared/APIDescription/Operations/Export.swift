extension APIDescription {
    /// export: /api/admin/export, /api/admin/users
    static let export: [Operation] = [
        Operation(
            method: "get", path: "/api/admin/export/{dataset}/{format}", id: "export",
            summary: "A dataset streamed as CSV, JSON or NDJSON; every export audited",
            tags: ["admin"],
            adminKey: true,
            parameters: [
                .path("dataset", .oneOf("kommo-leads", "leads", "users", "sales", "webhook-logs")),
                .path("format", .oneOf("csv", "json", "ndjson")),
                .query("createdAfter", .string.format("date-time"), description: "ISO 8601 date or time"),
                .query("createdBefore", .string.format("date-time"), description: "ISO 8601 date or time, exclusive"),
                .query("updatedAfter", .string.format("date-time"), description: "ISO 8601 date or time"),
                .query("search", .string),
                .query("sortOrder", .oneOf("asc", "desc")),
            ],
            answers: [
                200: .content("The rows", ["text/csv; charset=utf-8": .string, "application/json": .array, "application/x-ndjson": .string]),
            ],
            errors: [400, 401, 403, 404, 503]
        ),
        Operation(
            method: "get", path: "/api/admin/users", id: "listUsers",
            summary: "Seed 004's users listing: the users export, a page at a time",
            tags: ["admin"],
            adminKey: true,
            parameters: [
                .query("limit", .integer.minimum(1).maximum(1000).defaultValue(50)),
                .query("offset", .integer.minimum(0)),
                .query("cursor", .integer.minimum(1)),
                .query("createdAfter", .string.format("date-time"), description: "ISO 8601 date or time"),
                .query("createdBefore", .string.format("date-time"), description: "ISO 8601 date or time, exclusive"),
                .query("updatedAfter", .string.format("date-time"), description: "ISO 8601 date or time"),
                .query("search", .string),
                .query("sortOrder", .oneOf("asc", "desc")),
                .query("exportConsentOnly", .boolean),
                .query("hasTag", .string),
                .query("optedIn", .oneOf("messenger", "instagram", "whatsapp", "telegram", "sms", "email", "phone"), description: "The newest consent recorded for the channel is a grant"),
                .query("sortBy", .string, description: "A field of the listing: createdAt, updatedAt, firstName, lastName, full_name…"),
            ],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .constant(true),
                        "users": .array,
                        "pagination": .object(
                        [
                            "total": .integer,
                            "limit": .integer,
                            "offset": .integer,
                            "hasMore": .boolean,
                            "nextCursor": .type("string", "null"),
                        ], required: ["total", "limit", "offset", "hasMore", "nextCursor"]),
                    ], required: ["success", "users", "pagination"])),
            ],
            errors: [400, 401, 403, 503]
        ),
            Operation(
            method: "get", path: "/api/admin/users/{id}", id: "getUser",
            summary: "One person as the original export guide's user, with their consent history",
            tags: ["admin"],
            adminKey: true,
            parameters: [.path("id", .integer.minimum(1))],
            answers: [
                200: .json("OK", .object(["success": .constant(true), "user": .ref("User"), "consents": .array], required: ["success", "user", "consents"])),
            ],
            errors: [400, 401, 403, 404, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/users/{id}/consents", id: "recordConsent",
            summary: "Records consent given or withdrawn for one channel (who recorded it, when and the source are kept)",
            tags: ["admin"],
            adminKey: true,
            parameters: [.path("id", .integer.minimum(1))],
            body: .json(.object(
                [
                    "channel": .oneOf("messenger", "instagram", "whatsapp", "telegram", "sms", "email", "phone", "export"),
                    "granted": .boolean,
                    "source": .string.maxLength(200),
                ], required: ["channel", "granted", "source"])),
            answers: [
                201: .json("Recorded", .object(["success": .constant(true), "consentId": .integer, "user": .ref("User")], required: ["success", "consentId", "user"])),
            ],
            errors: [400, 401, 403, 404, 413, 415, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/users/{id}/export", id: "exportUser",
            summary: "Everything stored about one person, found by their lead, phone and the emails given; audited",
            tags: ["admin"],
            adminKey: true,
            parameters: [.path("id", .integer.minimum(1))],
            body: .json(.object(["emails": .array(of: .string.maxLength(254)).described("Addresses to find the person's rows by, besides their phone (at most 20)")])),
            answers: [
                200: .json("OK", .object(
                    ["success": .constant(true), "user": .ref("User"), "consents": .array, "stored": .object],
                    required: ["success", "user", "consents", "stored"])),
            ],
            errors: [400, 401, 403, 404, 413, 415, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/users/{id}/erase", id: "eraseUser",
            summary: "Erases one person: rows deleted or anonymised, log bodies redacted, their outbound messages dropped, the erasure audited",
            tags: ["admin"],
            adminKey: true,
            parameters: [.path("id", .integer.minimum(1))],
            body: .json(.object(["emails": .array(of: .string.maxLength(254)).described("Addresses to find the person's rows by, besides their phone (at most 20)"), "reason": .string.maxLength(500)])),
            answers: [
                200: .json("Erased", .object(
                    ["success": .constant(true), "erasure": .object(["id": .integer, "userId": .integer, "counts": .object], required: ["id", "userId", "counts"])],
                    required: ["success", "erasure"])),
            ],
            errors: [400, 401, 403, 404, 413, 415, 503]
        ),
    ]
}
