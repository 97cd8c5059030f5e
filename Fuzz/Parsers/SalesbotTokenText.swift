import FunctionKit
import KommoWidget
import SystemCrypto

// libFuzzer target: arbitrary text as a Salesbot widget token. The parser never crashes, and
// never accepts what the fixed secret did not sign: a token signed with it is built from the
// input's bytes too, and must verify with its claims intact.

func fuzzSalesbotToken(_ bytes: [UInt8]) {
    let secret = Array("fuzz-secret".utf8)
    let text = String(decoding: bytes, as: UTF8.self)
    if let token = try? SalesbotToken.verify(text, secret: secret, clientID: nil, now: 1_000) {
        fatalError("an unsigned input verified: \(text) as account \(token.accountID)")
    }
    // The input as the subdomain of a token signed with the secret: it verifies or is refused, never misread.
    let subdomain = String(decoding: bytes.filter { $0 > 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }.prefix(60), as: UTF8.self)
    let header = Base64.encodeURL(Array(#"{"alg":"HS512"}"#.utf8))
    let payload = Base64.encodeURL(Array(#"{"account_id":7,"subdomain":"\#(subdomain)","exp":2000}"#.utf8))
    let signed = header + "." + payload + "." + Base64.encodeURL(HMACSHA512.code(for: Array((header + "." + payload).utf8), key: secret))
    if let token = try? SalesbotToken.verify(signed, secret: secret, clientID: nil, now: 1_000) {
        guard token.accountID == 7, token.subdomain == subdomain.lowercased() else { fatalError("\(signed) misread as \(token)") }
    } else if !subdomain.isEmpty {
        fatalError("a token signed with the secret was refused: \(signed)")
    }
}
