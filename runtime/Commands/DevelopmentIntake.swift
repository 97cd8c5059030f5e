import FunctionCatalog

/// `runtime serve` on a loopback address is a developer's machine: a webhook that nothing
/// authenticates is opened there (its `…_AUTH=none`), so the first requests of the README work
/// without a token, and the server says so in its first lines. On any other address nothing
/// is opened: a webhook without a token, signing secret or allowlist answers 401.
enum DevelopmentIntake {
    /// The webhooks to open and the setting that opens each, when `host` is a loopback address.
    static func openings(listeningOn host: String, settings: [String: String]) -> [Opening] {
        guard isLoopback(host) else { return [] }
        return Catalog.functions.compactMap { function in
            guard let access = function.authentication.senderAccess, let open = access.openAccess, settings[open] == nil,
                !access.authenticates(settings)
            else { return nil }
            return Opening(function: function.name, setting: open, token: access.token)
        }
    }

    /// Opens them in `settings`; returns what was opened, for the notice.
    static func open(_ settings: inout [String: String], listeningOn host: String) -> [Opening] {
        let opened = openings(listeningOn: host, settings: settings)
        for opening in opened { settings[opening.setting] = "none" }
        return opened
    }

    struct Opening {
        let function: String
        /// The `…_AUTH` setting, set to `none`.
        let setting: String
        let token: String?
    }

    static func notice(_ openings: [Opening]) -> String? {
        guard !openings.isEmpty else { return nil }
        return "Open to unauthenticated requests on this loopback address only: \(openings.map(\.function).joined(separator: ", ")). "
            + "Set a token (\(openings.compactMap(\.token).joined(separator: ", "))) to require one; "
            + "on any other address they stay closed until you do."
    }

    static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host == "[::1]" || host.hasPrefix("127.")
    }
}
