import CLibCrypto

/// AES-256-GCM from the system's libcrypto: authenticated encryption, with `authenticated` bytes
/// bound to the ciphertext without being encrypted. A 12-byte nonce and a 16-byte tag.
public enum AES256GCM {
    public static let keySize = 32
    public static let nonceSize = 12
    public static let tagSize = 16

    /// The ciphertext (as long as the plaintext) and its tag.
    public static func seal(_ plaintext: [UInt8], key: [UInt8], nonce: [UInt8], authenticated: [UInt8]) -> (ciphertext: [UInt8], tag: [UInt8]) {
        precondition(key.count == keySize && nonce.count == nonceSize, "AES-256-GCM takes a 32-byte key and a 12-byte nonce")
        let crypto = LibCrypto.functions
        let cipher = CipherContext()
        // GCM is a stream mode: the final step writes nothing (the room after the ciphertext is
        // only for libcrypto's bounds).
        var ciphertext = [UInt8](repeating: 0, count: plaintext.count + tagSize)
        var tag = [UInt8](repeating: 0, count: tagSize)
        var written: Int32 = 0
        var final: Int32 = 0
        let sealed =
            crypto.EVP_EncryptInit_ex(cipher.pointer, crypto.EVP_aes_256_gcm(), nil, key, nonce) == 1
            && crypto.EVP_EncryptUpdate(cipher.pointer, nil, &written, authenticated, Int32(authenticated.count)) == 1
            && crypto.EVP_EncryptUpdate(cipher.pointer, &ciphertext, &written, plaintext, Int32(plaintext.count)) == 1
            && ciphertext.withUnsafeMutableBufferPointer { crypto.EVP_EncryptFinal_ex(cipher.pointer, $0.baseAddress! + Int(written), &final) } == 1
            && crypto.EVP_CIPHER_CTX_ctrl(cipher.pointer, EVP_CTRL_GCM_GET_TAG, Int32(tagSize), &tag) == 1
        // Only an allocation failure inside libcrypto gets here: nothing a caller could handle.
        guard sealed else { fatalError("libcrypto failed to seal with AES-256-GCM") }
        return (Array(ciphertext.prefix(plaintext.count)), tag)
    }

    /// The plaintext, or nil when the tag does not match (another key, another nonce, other
    /// authenticated bytes, or a changed ciphertext).
    public static func open(_ ciphertext: [UInt8], tag: [UInt8], key: [UInt8], nonce: [UInt8], authenticated: [UInt8]) -> [UInt8]? {
        guard key.count == keySize, nonce.count == nonceSize, tag.count == tagSize else { return nil }
        let crypto = LibCrypto.functions
        let cipher = CipherContext()
        var plaintext = [UInt8](repeating: 0, count: ciphertext.count + tagSize)
        var tag = tag
        var written: Int32 = 0
        var final: Int32 = 0
        guard crypto.EVP_DecryptInit_ex(cipher.pointer, crypto.EVP_aes_256_gcm(), nil, key, nonce) == 1,
            crypto.EVP_DecryptUpdate(cipher.pointer, nil, &written, authenticated, Int32(authenticated.count)) == 1,
            crypto.EVP_DecryptUpdate(cipher.pointer, &plaintext, &written, ciphertext, Int32(ciphertext.count)) == 1,
            crypto.EVP_CIPHER_CTX_ctrl(cipher.pointer, EVP_CTRL_GCM_SET_TAG, Int32(tagSize), &tag) == 1
        else { return nil }
        let verified = plaintext.withUnsafeMutableBufferPointer { crypto.EVP_DecryptFinal_ex(cipher.pointer, $0.baseAddress! + Int(written), &final) }
        guard verified == 1 else { return nil }
        return Array(plaintext.prefix(Int(written)))
    }
}
