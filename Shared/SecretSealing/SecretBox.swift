import SystemCrypto

/// Secrets at rest, sealed with AES-256-GCM (from the system's libcrypto: swift-crypto would link
/// Foundation into the function that seals them). A sealed secret is
/// `nonce (12 bytes) || ciphertext || tag (16 bytes)`, the layout swift-crypto's
/// `AES.GCM.SealedBox.combined` uses. The `context` (for example the subscription's id) is
/// authenticated too, so a sealed secret copied onto another row does not open.
public enum SecretBox {
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String { "the sealed secret does not open with LEADWIRE_SECRET_KEY (another key, or damaged)" }
    }

    static let nonceSize = AES256GCM.nonceSize
    static let tagSize = AES256GCM.tagSize

    /// Seals under a fresh random nonce (12 random bytes: no nonce repeats in practice for the
    /// few secrets one key ever seals).
    public static func seal(_ plaintext: [UInt8], key: SealingKey, context: String) -> [UInt8] {
        let nonce = RandomBytes.make(nonceSize)
        let (ciphertext, tag) = AES256GCM.seal(plaintext, key: key.bytes, nonce: nonce, authenticated: Array(context.utf8))
        return nonce + ciphertext + tag
    }

    public static func open(_ sealed: [UInt8], key: SealingKey, context: String) throws(OpenError) -> [UInt8] {
        guard sealed.count >= nonceSize + tagSize else { throw OpenError() }
        let opened = AES256GCM.open(
            Array(sealed.dropFirst(nonceSize).dropLast(tagSize)), tag: Array(sealed.suffix(tagSize)), key: key.bytes,
            nonce: Array(sealed.prefix(nonceSize)), authenticated: Array(context.utf8))
        guard let opened else { throw OpenError() }
        return opened
    }
}
