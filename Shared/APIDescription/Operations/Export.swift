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
    ]
}
