public import LeadwireCore
import SystemCrypto

/// Ids for rows and messages. They start with the time they were made, so each new one goes at
/// the end of the unique index that holds it: a commit then rewrites that index's last page
/// once, however many rows it adds, instead of one page at a random place per row. The rest is
/// random, so an id still cannot be guessed.
public enum Identifiers {
    /// A time-ordered (version 7) UUID in its lower-case text form, for tables whose users
    /// know their ids as UUIDs (the original guide's `id UUID` columns): 48 bits of Unix
    /// milliseconds, then 74 random bits.
    public static func uuid(at time: Timestamp = .now()) -> String {
        var bytes = timeThenRandom(at: time)
        bytes[6] = (bytes[6] & 0x0F) | 0x70  // version 7
        bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC 9562 variant
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { Hex.encode(bytes[$0]) }.joined(separator: "-")
    }

    /// `prefix`, then the time in Unix milliseconds (12 hex digits) and 80 random bits as 20
    /// hex digits: 32 lower-case hex digits that sort by time.
    public static func timeOrdered(_ prefix: String, at time: Timestamp = .now()) -> String {
        prefix + Hex.encode(timeThenRandom(at: time))
    }

    /// 16 bytes: the time in Unix milliseconds (48 bits, big-endian, so that bytes sort as
    /// times do), then random ones.
    private static func timeThenRandom(at time: Timestamp) -> [UInt8] {
        var bytes = RandomBytes.make(16)
        withUnsafeBytes(of: UInt64(clamping: time.millisecondsSince1970).bigEndian) { bytes.replaceSubrange(0..<6, with: $0[2..<8]) }
        return bytes
    }

    /// `byteCount` random bytes as lower-case hex: ids that cannot be guessed.
    public static func randomHex(byteCount: Int) -> String { Hex.encode(RandomBytes.make(byteCount)) }
}
