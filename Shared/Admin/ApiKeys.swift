import SystemCrypto
public import LeadwireStore

/// What an admin key may do.
public enum Scope: String, CaseIterable, Sendable {
    /// Read inbound logs (`GET /api/admin/webhook-logs`).
    case logsRead = "logs:read"
    /// Re-run a stored event (`POST /api/admin/webhook-logs/{id}/replay`).
    case logsReplay = "logs:replay"
    /// Export datasets (`GET /api/admin/export/...`).
    case export
    /// Manage outbound webhook subscriptions (`/api/admin/webhooks`).
    case webhooksManage = "webhooks:manage"
    /// Call Kommo's API and manage the Kommo connections (`/kommo-oauth`).
    case kommoAPI = "kommo:api"
    /// Record and withdraw a person's consent (`POST /api/admin/users/{id}/consents`).
    case consentWrite = "consent:write"
    /// Erase a person (`POST /api/admin/users/{id}/erase`).
    case peopleErase = "people:erase"
    /// Read Kommo leads (`GET /api/leads`): a key for a frontend, which can do nothing else.
    case leadsRead = "leads:read"
    /// Scrape the Prometheus metrics (`GET /metrics`).
    case metricsRead = "metrics:read"
    /// Read the dashboard's figures (`GET /api/admin/stats`).
    case statsRead = "stats:read"
}

/// An admin API key as stored: its name and scopes, never the key itself.
public struct ApiKey: Sendable, Equatable {
    public let name: String
    public let prefix: String
    public let scopes: Set<Scope>
    public let createdAt: String
    public let revokedAt: String?
}

/// Admin API keys. A key is 32 random bytes shown once, at creation, as `lw_<64 hex digits>`.
/// Only its SHA-256 is stored: a key that random needs no slow hash, and a leaked database
/// leaks no usable key. The first characters are kept in clear so people can tell keys apart.
public struct ApiKeys {
    let database: Database

    public init(database: Database) { self.database = database }

    /// Creates a key and returns it; this is the only time the key exists in clear.
    public func create(name: String, scopes: Set<Scope>) throws -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<4).flatMap { _ in withUnsafeBytes(of: generator.next()) { Array($0) } }
        let key = "lw_" + Hex.encode(bytes)
        try database.run(
            "INSERT INTO api_keys (name, key_prefix, key_sha256, scopes) VALUES (?, ?, ?, ?)",
            [.text(name), .text(String(key.prefix(10))), .text(Self.digest(key)), .text(scopes.map(\.rawValue).sorted().joined(separator: ","))])
        return key
    }

    public func list() throws -> [ApiKey] {
        try database.query("SELECT name, key_prefix, scopes, created_at, revoked_at FROM api_keys ORDER BY id").map(Self.key(from:))
    }

    /// Revokes a key by name; returns false when there is no such key still active.
    public func revoke(name: String) throws -> Bool {
        try database.run(
            "UPDATE api_keys SET revoked_at = \(database.dialect.now) WHERE name = ? AND revoked_at IS NULL",
            [.text(name)]) == 1
    }

    /// The active key a caller presented, or nil for an unknown or revoked one.
    public func authenticate(_ presented: String) throws -> ApiKey? {
        try database.queryRow(
            "SELECT name, key_prefix, scopes, created_at, revoked_at FROM api_keys WHERE key_sha256 = ? AND revoked_at IS NULL",
            [.text(Self.digest(presented))]
        ).map(Self.key(from:))
    }

    static func digest(_ key: String) -> String { Hex.encode(SHA256.hash(Array(key.utf8))) }

    private static func key(from row: Row) -> ApiKey {
        ApiKey(
            name: row[0].text ?? "", prefix: row[1].text ?? "",
            scopes: Set((row[2].text ?? "").split(separator: ",").compactMap { Scope(rawValue: String($0)) }),
            createdAt: row[3].text ?? "", revokedAt: row[4].text)
    }
}
