extension APIDescription {
    /// dashboard: /api/admin/dashboard, /api/admin/stats
    static let dashboard: [Operation] = [
        Operation(
            method: "get", path: "/api/admin/dashboard", id: "dashboardPage",
            summary: "The dashboard page (it asks for a key itself)",
            tags: ["admin"],
            answers: [
                200: .content("OK", ["text/html; charset=utf-8": .string]),
            ]
        ),
        Operation(
            method: "get", path: "/api/admin/stats", id: "stats",
            summary: "Leads, calls and won deals per bucket of local days; top UTM sources and targetologists; intake health; outbound deliveries (scope stats:read)",
            tags: ["admin"],
            adminKey: true,
            parameters: [
                .query("from", .string.format("date"), description: "The first local day, YYYY-MM-DD (default: 29 days before to)"),
                .query("to", .string.format("date"), description: "The last local day, inclusive (default: today in LEADWIRE_TIME_ZONE)"),
                .query("bucket", .oneOf("day", "week"), description: "A week starts on Monday"),
            ],
            answers: [
                200: .json("OK", .object(
                    [
                        "success": .constant(true),
                        "from": .string, "to": .string, "bucket": .string, "time_zone": .string,
                        "buckets": .array(of: .string).described("Each bucket's first local day; every series below has one number per bucket, in this order"),
                        "leads": .object(["kommo": .object, "knowlarity": .object], required: ["kommo", "knowlarity"]),
                        "calls": .object(
                            ["total": .array, "answered": .array, "missed": .array, "new_leads": .array, "new_lead_share": .type("number", "null")],
                            required: ["total", "answered", "missed", "new_leads", "new_lead_share"]),
                        "sales": .object(["traffic": .object, "referral": .object, "both": .object, "unknown": .object], required: ["traffic", "referral", "both", "unknown"]),
                        "top_utm_sources": .array, "top_targetologists": .array,
                        "intake": .array(of: .object(
                            ["source": .string, "requests": .object, "timed": .integer, "p50_ms": .type("integer", "null"), "p95_ms": .type("integer", "null")],
                            required: ["source", "requests", "p50_ms", "p95_ms"])),
                        "outbound": .object(
                            ["subscriptions": .array, "pending": .integer, "oldest_pending_at": .type("string", "null"), "oldest_pending_age_seconds": .type("integer", "null")],
                            required: ["subscriptions", "pending", "oldest_pending_at"]),
                    ], required: ["success", "from", "to", "bucket", "time_zone", "buckets", "leads", "calls", "sales", "intake", "outbound"])),
            ],
            errors: [400, 401, 403, 503]
        ),
    ]
}
