import FunctionKit
import HTTPTypes
public import LeadwireStore
public import SecretSealing

/// `oauth_tokens`: the connected accounts, their tokens sealed under LEADWIRE_SECRET_KEY (each
/// sealed with its account and kind as context, so a sealed value cannot be moved to another
/// row or column and still open).
public struct KommoConnections {
    let database: Database
    let key: SealingKey

    public init(database: Database, key: SealingKey) {
        self.database = database
        self.key = key
    }

    private static let columns =
        "account_id, subdomain, base_domain, access_token_sealed, refresh_token_sealed, expires_at, status, status_reason, connected_at, last_refreshed_at"

    /// Stores a new grant for the account: a first connection, a reconnection or a refresh.
    /// The refresh lease, if any, ends with it.
    func save(_ grant: TokenGrant, accountID: Int64, host: KommoAccountHost, now: Timestamp, refreshed: Bool) throws {
        let expiresAt = now.adding(seconds: grant.expiresInSeconds)
        try database.run(
            """
            INSERT INTO oauth_tokens (account_id, subdomain, base_domain, access_token_sealed, refresh_token_sealed, expires_at, last_refreshed_at)
            VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
            ON CONFLICT (account_id) DO UPDATE SET subdomain = ?2, base_domain = ?3, access_token_sealed = ?4, refresh_token_sealed = ?5,
                expires_at = ?6, last_refreshed_at = ?7, status = 'connected', status_reason = NULL, refresh_lease_owner = NULL,
                refresh_lease_until = NULL, updated_at = \(database.dialect.now)
            """,
            [
                .integer(accountID), .text(host.subdomain), .text(host.name), .blob(seal(grant.accessToken, "access", accountID)),
                .blob(seal(grant.refreshToken, "refresh", accountID)), .text(expiresAt.iso8601), refreshed ? .text(now.iso8601) : .null,
            ])
    }

    public func connection(_ accountID: Int64) throws -> KommoConnection? {
        try database.queryRow("SELECT \(Self.columns) FROM oauth_tokens WHERE account_id = ?", [.integer(accountID)]).map(connection)
    }

    public func all() throws -> [KommoConnection] {
        try database.query("SELECT \(Self.columns) FROM oauth_tokens ORDER BY account_id").map(connection)
    }

    /// The account a caller names: by id (`29085730`), by host (`acme.kommo.com`), or by
    /// subdomain (`acme`) when only one connected account has it; with no name, the only
    /// account connected. Anything else is an error that says what to name instead: a name
    /// that fits two accounts (`acme.kommo.com` and `acme.amocrm.ru`) is a 409 listing them,
    /// so a call is never sent to an account the caller did not mean.
    public func connection(named name: String?) throws -> KommoConnection {
        let candidates: [Row]
        switch name {
        case nil:
            candidates = try database.query("SELECT account_id, base_domain FROM oauth_tokens ORDER BY account_id")
            guard !candidates.isEmpty else {
                throw HTTPError(.notFound, code: .notConnected, message: "No Kommo account is connected; connect one at /kommo-oauth?action=authorize.")
            }
        case let name? where Int64(name) != nil:
            candidates = try database.query("SELECT account_id, base_domain FROM oauth_tokens WHERE account_id = ?", [.integer(Int64(name)!)])
        case let name? where name.contains("."):
            let host = KommoAccountHost(name)?.name ?? name
            candidates = try database.query("SELECT account_id, base_domain FROM oauth_tokens WHERE base_domain = ?", [.text(host)])
        case let name?:
            candidates = try database.query(
                "SELECT account_id, base_domain FROM oauth_tokens WHERE subdomain = ? ORDER BY account_id", [.text(name.lowercased())])
        }
        guard candidates.count <= 1 else {
            let listed = candidates.map { "\($0[1].text ?? "") (\($0[0].integer ?? 0))" }.joined(separator: ", ")
            let which = name.map { "\"\($0)\" names several connected accounts" } ?? "Several Kommo accounts are connected"
            throw HTTPError(.conflict, code: .accountAmbiguous, message: "\(which): \(listed). Name one by its id or its host.")
        }
        guard let accountID = candidates.first?[0].integer, let found = try connection(accountID) else {
            throw KommoClient.notConnected(name ?? "")
        }
        return found
    }

    @discardableResult
    public func delete(_ accountID: Int64) throws -> Bool {
        try database.run("DELETE FROM oauth_tokens WHERE account_id = ?", [.integer(accountID)]) == 1
    }

    func markNeedsReauthorization(_ accountID: Int64, reason: String) throws {
        try database.run(
            """
            UPDATE oauth_tokens SET status = 'needs_reauthorization', status_reason = ?, refresh_lease_owner = NULL, refresh_lease_until = NULL,
                updated_at = \(database.dialect.now) WHERE account_id = ?
            """, [.text(reason), .integer(accountID)])
    }

    /// Takes the account's refresh lease unless another process holds an unexpired one.
    func takeRefreshLease(_ accountID: Int64, owner: String, now: Timestamp, seconds: Int64) throws -> Bool {
        let until = now.adding(seconds: seconds)
        return try database.run(
            """
            UPDATE oauth_tokens SET refresh_lease_owner = ?1, refresh_lease_until = ?2
            WHERE account_id = ?3 AND (refresh_lease_until IS NULL OR refresh_lease_until < ?4)
            """, [.text(owner), .text(until.iso8601), .integer(accountID), .text(now.iso8601)]) == 1
    }

    func releaseRefreshLease(_ accountID: Int64, owner: String) throws {
        try database.run(
            "UPDATE oauth_tokens SET refresh_lease_owner = NULL, refresh_lease_until = NULL WHERE account_id = ? AND refresh_lease_owner = ?",
            [.integer(accountID), .text(owner)])
    }

    private func seal(_ token: String, _ kind: String, _ accountID: Int64) -> [UInt8] {
        SecretBox.seal(Array(token.utf8), key: key, context: "oauth_tokens.\(kind):\(accountID)")
    }

    private func open(_ value: SQLValue, _ kind: String, _ accountID: Int64) throws -> String {
        guard case .blob(let sealed) = value else { return "" }
        return String(decoding: try SecretBox.open(sealed, key: key, context: "oauth_tokens.\(kind):\(accountID)"), as: UTF8.self)
    }

    private func connection(_ row: Row) throws -> KommoConnection {
        let accountID = row[0].integer ?? 0
        guard let host = KommoAccountHost(row[2].text ?? "") else { throw HTTPError.internalError("oauth_tokens holds a base_domain that is not a Kommo host for account \(accountID).") }
        return KommoConnection(
            accountID: accountID, host: host,
            accessToken: try open(row[3], "access", accountID), refreshToken: try open(row[4], "refresh", accountID),
            expiresAt: Timestamp(millisecondsSince1970: (ISO8601Time.microseconds(row[5].text ?? "") ?? 0) / 1000),
            status: KommoConnection.Status(rawValue: row[6].text ?? "") ?? .needsReauthorization, statusReason: row[7].text,
            connectedAt: row[8].text ?? "", lastRefreshedAt: row[9].text)
    }
}
