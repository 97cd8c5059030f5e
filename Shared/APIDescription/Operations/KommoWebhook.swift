extension APIDescription {
    /// kommo-webhook: /kommo-webhook
    static let kommoWebhook: [Operation] = [
        Operation(
            method: "post", path: "/kommo-webhook", id: "kommoWebhook",
            summary: "Kommo lead events into kommo_leads",
            tags: ["webhooks"],
            parameters: [
                .token,
            ],
            body: .webhook,
            answers: [
                200: .kommoAnswer,
            ],
            errors: [400, 401, 413, 415, 503]
        ),
    ]
}
