import Crypto
import Foundation
import FunctionKit
import KommoWidget
import Testing

/// Salesbot tokens signed here with swift-crypto (an independent HMAC), the way Kommo signs
/// them: HS512 with the integration secret.
enum Tokens {
    static let secret = "integration-secret"
    static let now = Int64(1_764_000_000)

    static func claims(account: Int64 = 29_085_730, subdomain: String = "acme", client: String = "client-1", exp: Int64 = now + 600) -> [String: Any] {
        ["account_id": account, "subdomain": subdomain, "client_uuid": client, "entity_id": 9, "entity_type": 2, "exp": exp, "iat": now - 5]
    }

    static func sign(_ claims: [String: Any], alg: String = "HS512", secret: String = secret) -> String {
        func part(_ value: [String: Any]) -> String {
            Base64.encodeURL(Array(try! JSONSerialization.data(withJSONObject: value, options: .sortedKeys)))
        }
        let input = part(["alg": alg, "typ": "JWT"]) + "." + part(claims)
        let key = SymmetricKey(data: Array(secret.utf8))
        let mac: [UInt8] =
            switch alg {
            case "HS256": Array(HMAC<SHA256>.authenticationCode(for: Array(input.utf8), using: key))
            case "HS384": Array(HMAC<SHA384>.authenticationCode(for: Array(input.utf8), using: key))
            default: Array(HMAC<SHA512>.authenticationCode(for: Array(input.utf8), using: key))
            }
        return input + "." + Base64.encodeURL(mac)
    }
}

@Suite struct SalesbotTokenTests {
    func verify(_ token: String, client: String? = "client-1", now: Int64 = Tokens.now) throws(SalesbotToken.Rejection) -> SalesbotToken {
        try SalesbotToken.verify(token, secret: Array(Tokens.secret.utf8), clientID: client, now: now)
    }

    @Test(arguments: ["HS512", "HS256"])
    func aTokenSignedWithTheSecretNamesItsAccount(alg: String) throws {
        let token = try verify(Tokens.sign(Tokens.claims(), alg: alg))
        #expect(token.accountID == 29_085_730)
        #expect(token.subdomain == "acme")
        #expect(token.entityID == 9)
    }

    @Test func noneAndEveryOtherAlgorithmAreRefused() throws {
        let unsigned = Base64.encodeURL(Array(#"{"alg":"none"}"#.utf8)) + "." + Base64.encodeURL(Array(#"{"account_id":1,"subdomain":"a","exp":9999999999}"#.utf8)) + "."
        #expect(throws: SalesbotToken.Rejection.self) { try verify(unsigned) }
        let error = #expect(throws: SalesbotToken.Rejection.self) { try verify(Tokens.sign(Tokens.claims(), alg: "HS384")) }
        #expect(error?.reason.contains("HS384") == true)
    }

    @Test func aWrongSecretExpiryOrIntegrationIsRefusedWithTheReason() throws {
        let cases: [(String, String, Int64)] = [
            (Tokens.sign(Tokens.claims(), secret: "another"), "signature", Tokens.now),
            (Tokens.sign(Tokens.claims(exp: Tokens.now - 120)), "expired", Tokens.now),
            (Tokens.sign(Tokens.claims(client: "someone-else")), "another integration", Tokens.now),
            (Tokens.sign(["subdomain": "acme", "client_uuid": "client-1", "exp": Tokens.now + 60]), "no account", Tokens.now),
            (Tokens.sign(Tokens.claims()), "issued in the future", Tokens.now - 3600),
        ]
        for (token, reason, now) in cases {
            let error = #expect(throws: SalesbotToken.Rejection.self) { try verify(token, now: now) }
            #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "accepted"), expected \(reason)")
        }
        // Within the leeway, a token just expired still counts (clocks differ a little).
        #expect(try verify(Tokens.sign(Tokens.claims(exp: Tokens.now - 30))).accountID == 29_085_730)
    }

    @Test(arguments: ["", "abc", "a.b", "a.b.c.d", "!!!.e30.sig", String(repeating: "a", count: 9000)])
    func malformedTokensAreRefused(text: String) {
        #expect(throws: SalesbotToken.Rejection.self) { try verify(text) }
    }

    /// Flipping any one character of a valid token makes it invalid.
    @Test func everyChangedCharacterBreaksTheToken() throws {
        let token = Array(Tokens.sign(Tokens.claims()))
        for index in stride(from: 0, to: token.count, by: 7) where token[index] != "." {
            var changed = token
            changed[index] = changed[index] == "A" ? "B" : "A"
            #expect(throws: SalesbotToken.Rejection.self) { try verify(String(changed)) }
        }
    }
}
