import FunctionKit
import LeadwireStore

/// The single-use `state` of each connection under way (the consent round trip's CSRF
/// check). A state lasts as long as Kommo's code does, 20 minutes.
struct OAuthStates {
    let database: Database
    static let lifetimeSeconds: Int64 = 20 * 60

    func issue(now: Timestamp) throws -> String {
        let state = Identifiers.randomHex(byteCount: 16)
        let expires = now.adding(seconds: Self.lifetimeSeconds)
        try database.transaction {
            try database.run("DELETE FROM oauth_states WHERE expires_at < ?", [.text(now.iso8601)])
            try database.run("INSERT INTO oauth_states (state, expires_at) VALUES (?, ?)", [.text(state), .text(expires.iso8601)])
        }
        return state
    }

    /// Whether `state` was issued here and is unexpired; either way it cannot be used again.
    func consume(_ state: String, now: Timestamp) throws -> Bool {
        try database.queryRow("DELETE FROM oauth_states WHERE state = ? RETURNING expires_at", [.text(state)])?[0].text.map { $0 > now.iso8601 } ?? false
    }
}
