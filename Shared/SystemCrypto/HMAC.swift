/// HMAC-SHA256 (RFC 2104): signatures on webhook bodies, the Salesbot token's HS256. Checked
/// against RFC 4231's vectors and against swift-crypto.
public enum HMACSHA256 {
    /// The 32-byte authentication code of `message` under `key`.
    public static func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        hmac(SHA256Variant.self, message: message, key: key)
    }

    /// Whether `code` is `message`'s code under `key`, compared in constant time so the time
    /// taken tells a forger nothing about how many leading bytes were right.
    public static func isValid(_ code: [UInt8], for message: [UInt8], key: [UInt8]) -> Bool {
        constantTimeEquals(code, Self.code(for: message, key: key))
    }
}

/// HMAC-SHA512: the Salesbot token's HS512.
public enum HMACSHA512 {
    /// The 64-byte authentication code of `message` under `key`.
    public static func code(for message: [UInt8], key: [UInt8]) -> [UInt8] {
        hmac(SHA512Variant.self, message: message, key: key)
    }
}

/// RFC 2104: the hash of the key padded and masked with 0x5c, then of the inner hash (of the key
/// masked with 0x36, then the message). A key longer than a block is hashed first.
private func hmac<Variant: SHA2Variant>(_: Variant.Type, message: [UInt8], key: [UInt8]) -> [UInt8] {
    var blockKey = key.count > Variant.blockBytes ? key.withUnsafeBytes { SHA2<Variant>.hash($0) } : key
    blockKey += [UInt8](repeating: 0, count: Variant.blockBytes - blockKey.count)
    var inner = SHA2<Variant>()
    blockKey.map { $0 ^ 0x36 }.withUnsafeBytes { inner.update($0) }
    message.withUnsafeBytes { inner.update($0) }
    var outer = SHA2<Variant>()
    blockKey.map { $0 ^ 0x5c }.withUnsafeBytes { outer.update($0) }
    inner.finalize().withUnsafeBytes { outer.update($0) }
    return outer.finalize()
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
