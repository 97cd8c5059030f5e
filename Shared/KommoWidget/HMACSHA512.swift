import CLibCrypto

/// HMAC-SHA512 from the system's libcrypto (the library SecretSealing already links for
/// AES-GCM), for the Salesbot token's HS512.
enum HMACSHA512 {
    static func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        var code = [UInt8](repeating: 0, count: 64)
        var length: UInt32 = 0
        // The key may be empty; libcrypto wants a pointer even then.
        let keyBytes = key.isEmpty ? [0] : key
        _ = HMAC(EVP_sha512(), keyBytes, Int32(key.count), message, message.count, &code, &length)
        return code
    }
}
