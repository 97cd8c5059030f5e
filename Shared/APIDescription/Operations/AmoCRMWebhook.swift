extension APIDescription {
    /// amocrm-webhook: /webhook/amocrm
    static let amocrmWebhook: [Operation] = [
        Operation(
            method: "post", path: "/webhook/amocrm", id: "amocrmWebhook",
            summary: "amoCRM won deals: UTM routing and sales",
            tags: ["webhooks"],
            parameters: [
                .token,
            ],
            body: .webhook,
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .boolean,
                        "log_ids": .array,
                        "deals": .array,
                    ], required: ["success"])),
            ],
            errors: [400, 401, 413, 415, 503]
        ),
        Operation(
            method: "get", path: "/webhook/amocrm/test", id: "amocrmWebhookTest",
            summary: "Uptime check of the amoCRM endpoint",
            tags: ["webhooks"],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .constant(true),
                        "version": .string,
                    ], required: ["success", "version"])),
            ]
        ),
    ]
}
