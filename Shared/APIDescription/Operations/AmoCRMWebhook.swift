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
                400: .error,
                401: .error,
                413: .error,
                415: .error,
                503: .error,
            ]
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
