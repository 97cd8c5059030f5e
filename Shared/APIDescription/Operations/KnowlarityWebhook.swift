extension APIDescription {
    /// knowlarity-webhook: /webhooks/knowlarity
    static let knowlarityWebhook: [Operation] = [
        Operation(
            method: "get", path: "/webhooks/knowlarity", id: "knowlarityWebhookGet",
            summary: "The same, for hooks configured as GET: the call's fields in the query string (any case)",
            tags: ["webhooks"],
            parameters: [
                .token,
                .query("uuid", .string),
                .query("customer_number", .string),
                .query("agent_number", .string),
                .query("start_time", .string),
                .query("call_duration", .string),
                .query("call_type", .string),
            ],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .boolean,
                        "outcome": .string,
                    ], required: ["success", "log_id"])),
            ],
            errors: [400, 401, 503]
        ),
        Operation(
            method: "post", path: "/webhooks/knowlarity", id: "knowlarityWebhook",
            summary: "Knowlarity calls into knowlarity_calls and leads_master",
            tags: ["webhooks"],
            parameters: [
                .token,
            ],
            body: .webhook,
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .boolean,
                        "outcome": .string,
                    ], required: ["success", "log_id"])),
            ],
            errors: [400, 401, 413, 415, 503]
        ),
    ]
}
