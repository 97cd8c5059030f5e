public import FunctionKit
import SystemCrypto

/// The token Kommo's Salesbot sends with each widget request: a JWS (compact JWT) signed with
/// the integration's secret. Kommo's own library verifies it as HS512; HS256 is accepted too.
/// Every other algorithm (`none` above all) is refused, the signature is checked before the
/// claims are read, and `exp`, `nbf` and `iat` must hold within `leewaySeconds`.
///
/// The claims name the tenant: `account_id`, `subdomain` and `client_uuid` (the integration's
/// id, which must be ours when LEADWIRE_KOMMO_CLIENT_ID is set).
public struct SalesbotToken: Sendable {
    public let accountID: Int64
    public let subdomain: String
    public let clientUUID: String?
    /// The lead (entity type 2) or customer (12) the bot runs for.
    public let entityID: Int64?
    public let entityType: Int64?
    public let expiresAt: Int64

    public struct Rejection: Error, Sendable, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { reason }
    }

    public static func verify(
        _ text: String, secret: [UInt8], clientID: String?, now: Int64, leewaySeconds: Int64 = 60, maximumLength: Int = 8192
    ) throws(Rejection) -> SalesbotToken {
        guard text.utf8.count <= maximumLength else { throw Rejection(reason: "the token is longer than \(maximumLength) bytes") }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw Rejection(reason: "the token is not a JWT (three base64url parts joined by dots)") }
        guard let header = Self.object(parts[0]) else { throw Rejection(reason: "the token's header is not base64url JSON") }
        let signingInput = Array(text.utf8.prefix(parts[0].utf8.count + 1 + parts[1].utf8.count))
        let expected: [UInt8]
        switch header["alg"]?.text {
        case "HS512": expected = HMACSHA512.code(for: signingInput, key: secret)
        case "HS256": expected = HMACSHA256.code(for: signingInput, key: secret)
        case let other: throw Rejection(reason: "the token's algorithm \(other.map { "\"\($0)\"" } ?? "(none given)") is not HS256 or HS512")
        }
        guard let signature = Base64.decodeURL(parts[2]), constantTimeEquals(signature, expected) else {
            throw Rejection(reason: "the token's signature does not match the integration secret (LEADWIRE_KOMMO_CLIENT_SECRET)")
        }
        guard let claims = Self.object(parts[1]) else { throw Rejection(reason: "the token's payload is not base64url JSON") }

        guard let expiresAt = Self.integer(claims["exp"]) else { throw Rejection(reason: "the token has no exp") }
        guard now <= expiresAt.saturatingAdd(leewaySeconds) else { throw Rejection(reason: "the token expired at \(expiresAt) (now \(now))") }
        if let notBefore = Self.integer(claims["nbf"]), now.saturatingAdd(leewaySeconds) < notBefore { throw Rejection(reason: "the token is not valid before \(notBefore)") }
        if let issuedAt = Self.integer(claims["iat"]), now.saturatingAdd(leewaySeconds) < issuedAt { throw Rejection(reason: "the token was issued in the future (\(issuedAt))") }
        let clientUUID = claims["client_uuid"]?.text
        if let clientID, clientUUID != clientID { throw Rejection(reason: "the token is for another integration (client_uuid)") }
        guard let accountID = Self.integer(claims["account_id"]), let subdomain = claims["subdomain"]?.text, !subdomain.isEmpty else {
            throw Rejection(reason: "the token names no account (account_id and subdomain)")
        }
        return SalesbotToken(
            accountID: accountID, subdomain: subdomain.lowercased(), clientUUID: clientUUID, entityID: Self.integer(claims["entity_id"]),
            entityType: Self.integer(claims["entity_type"]), expiresAt: expiresAt)
    }

    /// The claims as the log row keeps them (the token itself is never stored).
    public var json: JSONValue {
        .object(
            JSONObject([
                ("account_id", JSONValue(accountID)), ("subdomain", .string(subdomain)), ("client_uuid", JSONValue(clientUUID)),
                ("entity_id", JSONValue(entityID)), ("entity_type", JSONValue(entityType)), ("exp", JSONValue(expiresAt)),
            ]))
    }

    private static func object(_ part: Substring) -> JSONValue? {
        guard let bytes = Base64.decodeURL(part), let value = try? JSONValue(parsing: String(decoding: bytes, as: UTF8.self)),
            case .object = value
        else { return nil }
        return value
    }

    /// A number claim; Kommo writes ids as numbers, some tokens as numeric strings.
    private static func integer(_ value: JSONValue?) -> Int64? {
        value?.int64 ?? value?.text.flatMap { Int64($0) }
    }
}
