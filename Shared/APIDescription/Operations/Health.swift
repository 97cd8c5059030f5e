extension APIDescription {
    /// health: /health
    static let health: [Operation] = [
        Operation(
            method: "get", path: "/health", id: "health",
            summary: "Version and schema version; 503 when the store does not answer",
            tags: ["operations"],
            answers: [
                200: .json("OK", .ref("Health")),
                503: .json("The store does not answer", .ref("Health")),
            ]
        ),
    ]
}
