import FunctionKit
import SystemCrypto

/// Kommo's "integration disabled" hook: `GET <url>?client_uuid=…&account_id=…&signature=…`,
/// where the signature is hex HMAC-SHA256 of `{client_id}|{account_id}` keyed with the
/// integration secret. A valid one means an admin switched the integration off for that
/// account: its tokens no longer work and are deleted.
enum DisabledHook {
    /// The account the hook is about, once its signature holds.
    static func verifiedAccount(_ query: QueryParameters, settings: KommoOAuthSettings) throws(HTTPError) -> Int64 {
        guard let clientUUID = query["client_uuid"], let accountText = query["account_id"], let signature = query["signature"] else {
            throw .badRequest("The hook needs client_uuid, account_id and signature.", code: .invalidRequest)
        }
        guard constantTimeEquals(clientUUID, settings.clientID) else { throw .unauthorized("The hook is for another integration (client_uuid).") }
        let expected = HMACSHA256.code(for: Array("\(clientUUID)|\(accountText)".utf8), key: Array(settings.clientSecret.utf8))
        guard let presented = Hex.decode(signature), constantTimeEquals(presented, expected) else {
            throw .unauthorized("The hook's signature does not match HMAC-SHA256 of client_uuid|account_id with the integration secret.")
        }
        guard let accountID = Int64(accountText) else { throw .badRequest("account_id must be a number.", code: .invalidRequest) }
        return accountID
    }
}
