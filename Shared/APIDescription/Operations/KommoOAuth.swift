extension APIDescription {
    /// kommo-oauth: /kommo-oauth
    static let kommoOAuth: [Operation] = [
        Operation(
            method: "get", path: "/kommo-oauth", id: "kommoOAuthGet",
            summary: "Kommo OAuth: authorize (admin key, kommo:api; redirect to Kommo's consent page), callback (Kommo's redirect back), status (admin key, kommo:api), disabled (Kommo's signed notice)",
            tags: ["kommo-oauth"],
            parameters: [
                .query("action", .string.allowing("authorize", "callback", "status", "disabled"), required: true),
                .query("code", .string),
                .query("state", .string),
                .query("referer", .string),
                .query("error", .string),
                .query("mode", .string),
                .query("from_widget", .string),
                .query("account", .string),
                .query("client_uuid", .string),
                .query("account_id", .string),
                .query("signature", .string),
            ],
            answers: [
                200: .json("Connected, the status, or the disabled account's tokens deleted", .object),
                302: .jsonWithHeaders("To Kommo's consent page", .object, headers: ["Location": .string]),
            ],
            errors: [400, 401, 403, 404, 405, 409, 502, 503]
        ),
        Operation(
            method: "post", path: "/kommo-oauth", id: "kommoOAuthPost",
            summary: "Kommo OAuth with an admin key (scope kommo:api): api-request (the proxy to Kommo's /api/v4/), refresh, disconnect",
            tags: ["kommo-oauth"],
            adminKey: true,
            parameters: [
                .query("action", .string.allowing("api-request", "refresh", "disconnect"), required: true),
                .query("account", .string),
            ],
            body: .json(.object(
                [
                    "endpoint": .string.examples("/api/v4/leads"),
                    "method": .string.allowing("GET", "POST", "PATCH", "PUT", "DELETE"),
                    "query": .object,
                    "body": .anything,
                    "account": .type("string", "integer"),
                ]), required: false),
            answers: [
                200: .json("Kommo's answer, or the account", .object),
            ],
            errors: [400, 401, 402, 403, 404, 405, 409, 413, 415, 422, 429, 502, 503]
        ),
    ]
}
