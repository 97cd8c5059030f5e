import CLibCrypto

/// HMAC-SHA256 (RFC 2104) from the system's libcrypto: signatures on webhook bodies, the
/// Salesbot token's HS256. Checked against RFC 4231's vectors and against swift-crypto.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        hmac(LibCrypto.functions.EVP_sha256(), size: 32, message: message, key: key)
    }

    /// Whether `code` is `message`'s code under `key`, compared in constant time so the time
    /// taken tells a forger nothing about how many leading bytes were right.
    public static func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        constantTimeEquals(code, Self.code(for: message, key: key))
    }
}

/// HMAC-SHA512 from the system's libcrypto: the Salesbot token's HS512.
public enum HMACSHA512 {
    /// The 64-byte authentication code of `message` under `key`.
    public static func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        hmac(LibCrypto.functions.EVP_sha512(), size: 64, message: message, key: key)
    }
}

private func hmac(_ digest: OpaquePointer?, size: Int, message: [UInt8], key: [UInt8]) -> [UInt8] {
    var code = [UInt8](repeating: 0, count: size)
    var length: UInt32 = 0
    // The key may be empty; libcrypto wants a pointer even then.
    let keyBytes = key.isEmpty ? [0] : key
    guard LibCrypto.functions.HMAC(digest, keyBytes, Int32(key.count), message, message.count, &code, &length) != nil else {
        fatalError("libcrypto could not compute an HMAC")
    }
    return code
}

/// Whether two secrets are equal, taking the same time wherever they differ (only the lengths
/// can be told apart), so the time of a refusal tells an attacker nothing.
public func constantTimeEquals(_ lhs: some Collection<UInt8>, _ rhs: some Collection<UInt8>) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
    return difference == 0
}

public func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
    constantTimeEquals(Array(lhs.utf8), Array(rhs.utf8))
}
