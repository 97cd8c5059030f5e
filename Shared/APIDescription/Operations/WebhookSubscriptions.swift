extension APIDescription {
    /// webhook-subscriptions: /api/admin/webhooks
    static let webhookSubscriptions: [Operation] = [
        Operation(
            method: "get", path: "/api/admin/webhooks", id: "listWebhooks",
            summary: "Every outbound webhook subscription, with its counters",
            tags: ["webhooks"],
            adminKey: true,
            answers: [
                200: .json("The subscriptions", .ref("WebhookAnswer")),
            ],
            errors: [401, 403, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/webhooks", id: "createWebhook",
            summary: "Seed 004's subscription: the answer holds its signing secret, shown this once",
            tags: ["webhooks"],
            adminKey: true,
            body: .json(.ref("WebhookCreate")),
            answers: [
                201: .json("Created", .ref("WebhookAnswer")),
            ],
            errors: [400, 401, 403, 413, 415, 503]
        ),
        Operation(
            method: "get", path: "/api/admin/webhooks/viewer", id: "webhookDeliveriesViewer",
            summary: "The deliveries page (it asks for a key itself)",
            tags: ["admin"],
            answers: [
                200: .content("OK", ["text/html; charset=utf-8": .string]),
            ]
        ),
        Operation(
            method: "get", path: "/api/admin/webhooks/{id}", id: "getWebhook",
            summary: "One subscription with its counters and last 50 deliveries",
            tags: ["webhooks"],
            adminKey: true,
            parameters: [
                .path("id", .string),
            ],
            answers: [
                200: .json("The subscription", .ref("WebhookAnswer")),
            ],
            errors: [401, 403, 404, 503]
        ),
        Operation(
            method: "patch", path: "/api/admin/webhooks/{id}", id: "updateWebhook",
            summary: "Change fields; \"active\": true re-enables a disabled subscription",
            tags: ["webhooks"],
            adminKey: true,
            parameters: [
                .path("id", .string),
            ],
            body: .json(.ref("WebhookUpdate")),
            answers: [
                200: .json("Changed", .ref("WebhookAnswer")),
            ],
            errors: [400, 401, 403, 404, 413, 415, 503]
        ),
        Operation(
            method: "delete", path: "/api/admin/webhooks/{id}", id: "deleteWebhook",
            summary: "Delete a subscription, its queued messages and its deliveries",
            tags: ["webhooks"],
            adminKey: true,
            parameters: [
                .path("id", .string),
            ],
            answers: [
                200: .json("Deleted", .ref("WebhookAnswer")),
            ],
            errors: [401, 403, 404, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/webhooks/{id}/test", id: "testWebhook",
            summary: "Send a webhook.test event and report the delivery (202 when no worker took it in time)",
            tags: ["webhooks"],
            adminKey: true,
            parameters: [
                .path("id", .string),
            ],
            answers: [
                200: .json("Delivered or failed", .ref("WebhookAnswer")),
                202: .json("Queued", .ref("WebhookAnswer")),
            ],
            errors: [401, 403, 404, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/webhooks/{id}/rotate-secret", id: "rotateWebhookSecret",
            summary: "A new signing secret; the previous one also signs for 24 hours",
            tags: ["webhooks"],
            adminKey: true,
            parameters: [
                .path("id", .string),
            ],
            answers: [
                200: .json("The new secret", .ref("WebhookAnswer")),
            ],
            errors: [401, 403, 404, 503]
        ),
        Operation(
            method: "post", path: "/api/admin/webhooks/{id}/deliveries/{delivery}/retry", id: "retryWebhookDelivery",
            summary: "Queue a delivery's message again, with fresh attempts",
            tags: ["webhooks"],
            adminKey: true,
            parameters: [
                .path("id", .string),
                .path("delivery", .integer),
            ],
            answers: [
                200: .json("Queued", .ref("WebhookAnswer")),
            ],
            errors: [401, 403, 404, 503]
        ),
    ]
}
