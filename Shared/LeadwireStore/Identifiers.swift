import SystemCrypto

/// Row ids for tables whose users know them as UUIDs (seed 000's `id UUID` columns).
public enum Identifiers {
    /// A random (version 4) UUID in its lower-case text form.
    public static func uuid() -> String {
        // Two 64-bit draws: one getrandom call each, not one per byte.
        var bytes = RandomBytes.make(16)
        bytes[6] = (bytes[6] & 0x0F) | 0x40  // version 4
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 4122 variant
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { Hex.encode(bytes[$0]) }.joined(separator: "-")
    }

    /// `byteCount` random bytes as lower-case hex: ids that cannot be guessed.
    public static func randomHex(byteCount: Int) -> String { Hex.encode(RandomBytes.make(byteCount)) }
}
