import CLibCrypto
import Hashing

/// AES-256-GCM from the system's libcrypto (OpenSSL): authenticated encryption for secrets at
/// rest. A C library, as SQLite is, so the function that seals secrets starts as fast as the
/// others (swift-crypto would link Foundation into it). A sealed secret is
/// `nonce (12 bytes) || ciphertext || tag (16 bytes)`, the layout swift-crypto's
/// `AES.GCM.SealedBox.combined` uses. The `context` (for example the subscription's id) is
/// authenticated too, so a sealed secret copied onto another row does not open.
public enum SecretBox {
    public struct OpenError: Error, CustomStringConvertible {
        public var description: String { "the sealed secret does not open with LEADWIRE_SECRET_KEY (another key, or damaged)" }
    }

    static let nonceSize = 12
    static let tagSize = 16

    /// Seals under a fresh random nonce (12 random bytes: no nonce repeats in practice for the
    /// few secrets one key ever seals).
    public static func seal(_ plaintext: [UInt8], key: SealingKey, context: String) -> [UInt8] {
        let nonce = RandomBytes.make(nonceSize)
        let cipher = Cipher()
        // GCM is a stream mode: the ciphertext is as long as the plaintext, and the final step
        // writes nothing (the room after it is only for libcrypto's bounds).
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var tag = [UInt8](repeating: 0, count: tagSize)
        var written: Int32 = 0
        var final: Int32 = 0
        let context = Array(context.utf8)
        let sealed =
            EVP_EncryptInit_ex(cipher.context, EVP_aes_256_gcm(), nil, key.bytes, nonce) == 1
            && EVP_EncryptUpdate(cipher.context, nil, &written, context, Int32(context.count)) == 1
            && EVP_EncryptUpdate(cipher.context, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1
            && ciphertext.withUnsafeMutableBufferPointer { EVP_EncryptFinal_ex(cipher.context, $0.baseAddress! + Int(written), &final) } == 1
            && EVP_CIPHER_CTX_ctrl(cipher.context, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), &tag) == 1
        // Only an allocation failure inside libcrypto gets here: nothing a caller could handle.
        guard sealed else { fatalError("libcrypto failed to seal with AES-256-GCM") }
        return nonce + ciphertext.prefix(plaintext.count) + tag
    }

    public static func open(_ sealed: [UInt8], key: SealingKey, context: String) throws(OpenError) -> [UInt8] {
        guard sealed.count >= nonceSize + tagSize else { throw OpenError() }
        let nonce = Array(sealed.prefix(nonceSize))
        let ciphertext = Array(sealed.dropFirst(nonceSize).dropLast(tagSize))
        var tag = Array(sealed.suffix(tagSize))
        let cipher = Cipher()
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + tagSize)
        var written: Int32 = 0
        var final: Int32 = 0
        let context = Array(context.utf8)
        guard EVP_DecryptInit_ex(cipher.context, EVP_aes_256_gcm(), nil, key.bytes, nonce) == 1,
            EVP_DecryptUpdate(cipher.context, nil, &written, context, Int32(context.count)) == 1,
            EVP_DecryptUpdate(cipher.context, &plaintext, &written, ciphertext, Int32(ciphertext.count)) == 1,
            EVP_CIPHER_CTX_ctrl(cipher.context, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1
        else { throw OpenError() }
        let verified = plaintext.withUnsafeMutableBufferPointer { EVP_DecryptFinal_ex(cipher.context, $0.baseAddress! + Int(written), &final) }
        guard verified == 1 else { throw OpenError() }
        return Array(plaintext.prefix(Int(written)))
    }

    /// One EVP context, freed with its owner.
    private final class Cipher {
        let context: OpaquePointer
        init() {
            guard let context = EVP_CIPHER_CTX_new() else { fatalError("libcrypto could not allocate a cipher context") }
            self.context = context
        }
        deinit { EVP_CIPHER_CTX_free(context) }
    }
}
