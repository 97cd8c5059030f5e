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
                400: .error,
                401: .error,
                413: .error,
                415: .error,
                503: .error,
            ]
        ),
    ]
}
