public import FunctionKit

/// One Kommo account connected through OAuth, its tokens opened.
public struct KommoConnection: Sendable {
    public enum Status: String, Sendable { case connected, needsReauthorization = "needs_reauthorization" }

    public let accountID: Int64
    public let host: KommoAccountHost
    let accessToken: String
    let refreshToken: String
    /// When the access token stops working.
    public let expiresAt: Timestamp
    public let status: Status
    public let statusReason: String?
    public let connectedAt: String
    public let lastRefreshedAt: String?

    /// What `?action=status` shows: everything but the tokens.
    public var json: JSONValue {
        .object(
            JSONObject([
                ("account_id", JSONValue(accountID)), ("subdomain", .string(host.subdomain)), ("base_domain", .string(host.name)),
                ("status", .string(status.rawValue)), ("status_reason", JSONValue(statusReason)), ("expires_at", .string(expiresAt.iso8601)),
                ("connected_at", .string(connectedAt)), ("last_refreshed_at", JSONValue(lastRefreshedAt)),
            ]))
    }
}

/// What Kommo's token endpoint answered: a new access token and the refresh token that
/// replaces the one just used.
struct TokenGrant: Sendable {
    let accessToken: String
    let refreshToken: String
    let expiresInSeconds: Int64

    /// `{token_type, expires_in, access_token, refresh_token}`; nil when a field is missing.
    init?(_ body: JSONValue) {
        guard let access = body["access_token"]?.text, !access.isEmpty, let refresh = body["refresh_token"]?.text, !refresh.isEmpty,
            let expiresIn = body["expires_in"]?.int64, expiresIn > 0
        else { return nil }
        accessToken = access
        refreshToken = refresh
        expiresInSeconds = expiresIn
    }

    /// The account the access token was issued for: Kommo's access tokens are JWTs whose
    /// payload names it (`account_id`). The token came straight from Kommo over TLS, so its
    /// payload is read, not verified (Kommo signs it with a key of its own).
    var accountID: Int64? {
        let parts = accessToken.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[1].utf8.count <= 8192, let payload = Base64.decodeURL(parts[1]),
            let claims = try? JSONValue(parsing: String(decoding: payload, as: UTF8.self))
        else { return nil }
        return claims["account_id"]?.int64 ?? claims["account_id"]?.text.flatMap { Int64($0) }
    }
}
