extension APIDescription {
    /// leads: /api/leads
    static let leads: [Operation] = [
        Operation(
            method: "get", path: "/api/leads", id: "listLeads",
            summary: "Kommo leads for a frontend (scope leads:read), most recently updated first, paged",
            tags: ["read"],
            adminKey: true,
            parameters: [
                .query("is_deleted", .boolean),
                .query("kommo_id", .integer.format("int64")),
                .query("pipeline_id", .integer.format("int64")),
                .query("status_id", .integer.format("int64")),
                .query("account_id", .integer.format("int64")),
                .query("updated_since", .string.format("date-time"), description: "ISO 8601 date or time"),
                .query("updated_before", .string.format("date-time"), description: "ISO 8601 date or time, exclusive"),
                .query("q", .string.maxLength(200), description: "Text in the lead's name, in any case"),
                .query("limit", .integer.minimum(1).maximum(1000).defaultValue(50)),
                .query("cursor", .string, description: "nextCursor of the previous page"),
            ],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .constant(true),
                        "leads": .array(of: .ref("Lead")),
                        "pagination": .object(
                        [
                            "total": .integer,
                            "limit": .integer,
                            "hasMore": .boolean,
                            "nextCursor": .type("string", "null"),
                            "next": .type("string", "null").described("The next page's query (the filters as understood and the cursor), relative to this listing's address; null on the last page"),
                        ], required: ["total", "limit", "hasMore", "nextCursor", "next"]),
                    ], required: ["success", "leads", "pagination"])),
            ],
            errors: [400, 401, 403, 503]
        ),
        Operation(
            method: "get", path: "/api/leads/{kommo_id}", id: "getLead",
            summary: "One Kommo lead by its Kommo id (scope leads:read)",
            tags: ["read"],
            adminKey: true,
            parameters: [
                .path("kommo_id", .integer.format("int64")),
                .query("account_id", .integer.format("int64"), description: "Needed only when several accounts have a lead with this id"),
            ],
            answers: [
                200: .json("OK", .object(["success": .constant(true), "lead": .ref("Lead")], required: ["success", "lead"])),
            ],
            errors: [400, 401, 403, 404, 409, 503]
        ),
    ]
}
