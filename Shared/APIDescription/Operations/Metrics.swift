extension APIDescription {
    /// metrics: /metrics
    static let metrics: [Operation] = [
        Operation(
            method: "get", path: "/metrics", id: "metrics",
            summary: "Prometheus metrics in the text exposition format (scope metrics:read)",
            tags: ["operations"],
            adminKey: true,
            answers: [
                200: .content("OK", ["text/plain; version=0.0.4; charset=utf-8": .string]),
            ],
            errors: [401, 403, 503]
        ),
    ]
}
