extension APIDescription {
    /// widget-request: /widget-request
    static let widgetRequest: [Operation] = [
        Operation(
            method: "post", path: "/widget-request", id: "widgetRequest",
            summary: "Kommo Salesbot widget step: the signed token checked, the request queued, {\"status\":\"ok\"} at once; the worker sends the reply to return_url",
            tags: ["webhooks"],
            body: .json(.object(
                [
                    "token": .string,
                    "data": .object,
                    "return_url": .string,
                ], required: ["token", "return_url"])),
            answers: [
                200: .json("Stored; the reply follows", .object(
                    [
                        "status": .constant("ok"),
                        "duplicate": .boolean,
                    ], required: ["status"])),
            ],
            errors: [400, 401, 405, 413, 415, 503]
        ),
    ]
}
