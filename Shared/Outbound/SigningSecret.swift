import FunctionKit
import SystemCrypto

/// A subscription's signing secret, shown to its owner once: `whsec_` and the base64 of 32
/// random bytes, the form Standard Webhooks libraries read. Both signatures come from it:
///
/// - `webhook-signature` (Standard Webhooks): HMAC-SHA256 keyed with the bytes after `whsec_`;
/// - `X-Webhook-Signature` (seed 004): HMAC-SHA256 keyed with the secret text as shown, so the
///   seed's `crypto.createHmac('sha256', secret)` verifies it unchanged.
public struct SigningSecret: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let prefix = "whsec_"
    public let text: String
    /// The Standard Webhooks key: the decoded bytes after the prefix (decoded once, not per delivery).
    let standardKey: [UInt8]

    // Never printed by accident: only `text` gives it out.
    public var description: String { "SigningSecret(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    public init?(_ text: String) {
        guard text.hasPrefix(Self.prefix), let key = Base64.decode(String(text.dropFirst(Self.prefix.count))), !key.isEmpty else { return nil }
        self.text = text
        standardKey = key
    }

    public static func generate() -> SigningSecret {
        SigningSecret(prefix + Base64.encode(RandomBytes.make(32)))!
    }
}

/// The signature headers of one delivery.
public enum WebhookSignature {
    /// `v1,<base64 HMAC>` over `id.timestamp.body` for each secret still valid, space-separated
    /// (the current one first; during a rotation the previous one too, so a receiver that has
    /// not switched yet still verifies).
    public static func standard(id: String, timestamp: Int64, body: [UInt8], secrets: [SigningSecret]) -> String {
        let signed = Array("\(id).\(timestamp).".utf8) + body
        return secrets.map { "v1," + Base64.encode(HMACSHA256.code(for: signed, key: $0.standardKey)) }.joined(separator: " ")
    }

    /// Seed 004's `X-Webhook-Signature`: the hex HMAC of the exact body.
    public static func hex(body: [UInt8], secret: SigningSecret) -> String {
        Hex.encode(HMACSHA256.code(for: body, key: Array(secret.text.utf8)))
    }
}
