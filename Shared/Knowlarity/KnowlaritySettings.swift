import FunctionKit
import SystemCrypto
import HTTPTypes

/// knowlarity-webhook's settings (see the README's table); who may send is `SenderAccess.knowlarityWebhook`.
struct KnowlaritySettings {
    /// LEADWIRE_KNOWLARITY_SIGNING_SECRET: when set, the raw body must carry a valid HMAC-SHA256
    /// signature in `X-Knowlarity-Signature` (`sha256=<hex>` or bare hex).
    let signingSecret: String?
    let phones: PhoneRule
    /// LEADWIRE_TIME_ZONE: the zone whose calendar day "today" counts in (default Asia/Kolkata).
    let timeZone: TimeZoneRule

    init(_ environment: Environment) throws(ConfigurationError) {
        // A replayed body was checked when it first arrived (or refused, and logged as such).
        signingSecret = environment.isReplay ? nil : environment["LEADWIRE_KNOWLARITY_SIGNING_SECRET"]
        phones = PhoneRule(digits: try environment.integer("LEADWIRE_PHONE_DIGITS", default: PhoneRule.india.digits))
        do {
            timeZone = try TimeZoneRule(environment["LEADWIRE_TIME_ZONE"] ?? "Asia/Kolkata")
        } catch {
            throw ConfigurationError(message: "LEADWIRE_TIME_ZONE: \(error.message)")
        }
    }

    /// When signing is on, throws 401 unless the request carries a valid signature of its
    /// exact body bytes. A GET hook has no body to sign, so one signature would let anything
    /// through in a query string: while signing is on, GET hooks are refused.
    func verifySignature(_ request: Request) throws(HTTPError) {
        guard let signingSecret else { return }
        guard request.method != .get else {
            throw HTTPError(
                .unauthorized, code: .signatureRequired,
                message: "LEADWIRE_KNOWLARITY_SIGNING_SECRET is set, and a GET hook has no body to sign: configure the hook as POST, or authenticate GET hooks with a token or an address allowlist instead.")
        }
        // A body too large to read cannot be checked; it is refused before anything is stored.
        try request.requireBodyWithinLimit()
        guard let header = request.headers[.knowlaritySignature],
            let signature = Hex.decode(header.hasPrefix("sha256=") ? header.dropFirst(7) : header[...]),
            HMACSHA256.isValid(signature, for: request.body, key: Array(signingSecret.utf8))
        else {
            throw .unauthorized("A valid X-Knowlarity-Signature (HMAC-SHA256 of the body) is required.")
        }
    }
}

extension HTTPField.Name {
    static let knowlaritySignature = HTTPField.Name("X-Knowlarity-Signature")!
}

/// How phone numbers are made comparable: keep the last `digits` digits (the national number),
/// dropping country codes, spaces and punctuation. Fewer digits than that is not a phone number.
struct PhoneRule {
    let digits: Int

    /// LEADWIRE_PHONE_DIGITS=10: India's national numbers, `+91 80198 58999` → `8019858999`.
    static let india = PhoneRule(digits: 10)

    func normalize(_ raw: String?) -> String? {
        let all = (raw ?? "").filter { $0.isASCII && $0.isNumber }
        guard all.count >= digits else { return nil }
        return String(all.suffix(digits))
    }
}
