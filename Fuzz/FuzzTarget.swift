/// One fuzz target: its name (its corpus seeds in Fuzz/seeds.py, its saved findings in
/// Fuzz/regressions/<name>/) and what one input goes through. A parser target stops the
/// process (fatalError) on a broken property; a handler target answers what broke, or nil.
struct FuzzTarget: Sendable {
    let name: String
    /// Prepared once per process (a handler's temporary store), then run on each input.
    let prepare: @Sendable () throws -> Prepared

    struct Prepared {
        let run: ([UInt8]) -> String?
        let finish: () -> Void
    }

    /// Every parser a request or a setting passes through.
    static let parsers: [FuzzTarget] = [
        parser("fastcgi-records", fuzzFastCGIRecords),
        parser("form-tree", fuzzFormTree),
        parser("json-body", fuzzJSONBody),
        parser("time-text", fuzzTimeText),
        parser("cgi-request", fuzzCGIRequestReader),
        parser("subscriber-url", fuzzOutboundURL),
        parser("salesbot-token", fuzzSalesbotToken),
        parser("allowlist-entry", fuzzAllowlistEntryText),
        parser("settings-file", fuzzSettingsText),
    ]

    /// Every function's real handler, named as the function.
    static let handlers: [FuzzTarget] = FuzzedFunction.all.map { function in
        FuzzTarget(name: function.name) {
            let harness = try HandlerHarness(function: function)
            return Prepared(run: harness.run, finish: harness.removeStore)
        }
    }

    static let all = parsers + handlers

    static func named(_ name: String) -> FuzzTarget? { all.first { $0.name == name } }

    private static func parser(_ name: String, _ body: @escaping @Sendable ([UInt8]) -> Void) -> FuzzTarget {
        FuzzTarget(name: name) { Prepared(run: { body($0); return nil }, finish: {}) }
    }
}
