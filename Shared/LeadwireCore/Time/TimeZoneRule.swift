#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A time zone's UTC offsets over time, for answering "which local day is it?".
///
/// Read from the system's TZif file (RFC 8536) rather than through libc's process-wide `TZ`,
/// so many zones can be used at once with no global state. Accepts `UTC`, a fixed offset
/// (`+05:30`), or an IANA name (`Asia/Kolkata`). Debian's tzdata lists every transition up to
/// 2037; later instants use the last listed offset.
public struct TimeZoneRule: Sendable, Equatable {
    public let identifier: String
    /// Transition instants (unix seconds, ascending) and the offset in force from each.
    let transitions: [(at: Int64, offset: Int32)]
    /// The offset before the first transition, or always for a fixed zone.
    let baseOffset: Int32

    public static let utc = TimeZoneRule(identifier: "UTC", transitions: [], baseOffset: 0)

    init(identifier: String, transitions: [(at: Int64, offset: Int32)], baseOffset: Int32) {
        self.identifier = identifier
        self.transitions = transitions
        self.baseOffset = baseOffset
    }

    public init(_ identifier: String, zoneinfo: String = "/usr/share/zoneinfo") throws(ConfigurationError) {
        if identifier == "UTC" || identifier == "Z" {
            self = .utc
        } else if let offset = Self.fixedOffset(identifier) {
            self.init(identifier: identifier, transitions: [], baseOffset: offset)
        } else {
            guard !identifier.isEmpty, !identifier.hasPrefix("/"), !identifier.contains(".."),
                let data = Self.readFile("\(zoneinfo)/\(identifier)")
            else {
                throw ConfigurationError(message: "\"\(identifier)\" is not a time zone: use an IANA name such as Asia/Kolkata, or an offset such as +05:30.")
            }
            guard let parsed = Self.parseTZif(data) else {
                throw ConfigurationError(message: "\(zoneinfo)/\(identifier) is not a readable TZif file.")
            }
            self.init(identifier: identifier, transitions: parsed.transitions, baseOffset: parsed.baseOffset)
        }
    }

    /// The UTC offset in seconds at an instant.
    public func offset(at seconds: Int64) -> Int32 {
        // The last transition at or before the instant (binary search).
        var low = 0
        var high = transitions.count
        while low < high {
            let middle = (low + high) / 2
            if transitions[middle].at <= seconds { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? baseOffset : transitions[low - 1].offset
    }

    /// The local calendar date at an instant, as `YYYY-MM-DD`.
    public func localDate(at seconds: Int64) -> String {
        String(Timestamp.epoch.adding(seconds: seconds.saturatingAdd(Int64(offset(at: seconds)))).iso8601.prefix(10))
    }

    public static func == (lhs: TimeZoneRule, rhs: TimeZoneRule) -> Bool { lhs.identifier == rhs.identifier }

    /// The offset in seconds of a fixed-offset zone written `+05:30`, `-0300` or `+05`.
    public static func fixedOffset(_ text: String) -> Int32? {
        guard let sign = text.first, sign == "+" || sign == "-" else { return nil }
        let digits = text.dropFirst().filter { $0 != ":" }
        guard digits.count == 2 || digits.count == 4, digits.allSatisfy(\.isASCII), let value = Int32(digits) else { return nil }
        let hours = digits.count == 2 ? value : value / 100
        let minutes = digits.count == 2 ? 0 : value % 100
        guard hours <= 18, minutes < 60 else { return nil }
        return (sign == "-" ? -1 : 1) * (hours * 3600 + minutes * 60)
    }

    /// The whole file, or nil when it cannot be opened or is larger than any zone file (1 MiB).
    private static func readFile(_ path: String) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_size <= 1 << 20 else { return nil }
        let bytes = FileDescriptorIO.read(exactly: Int(status.st_size), from: descriptor)
        return bytes.count == Int(status.st_size) ? bytes : nil
    }

    /// RFC 8536: skips the version 1 block (32-bit times) and reads the version 2+ block.
    static func parseTZif(_ data: [UInt8]) -> (transitions: [(at: Int64, offset: Int32)], baseOffset: Int32)? {
        func integer(_ offset: Int, _ width: Int) -> Int64? {
            guard offset + width <= data.count else { return nil }
            var value: UInt64 = 0
            for byte in data[offset..<offset + width] { value = value << 8 | UInt64(byte) }
            let shift = UInt64(64 - width * 8)
            return Int64(bitPattern: value << shift) >> Int64(shift)  // sign-extend
        }
        func counts(at header: Int) -> [Int]? {
            guard data.count >= header + 44, data[header..<header + 4].elementsEqual("TZif".utf8) else { return nil }
            return (0..<6).compactMap { integer(header + 20 + $0 * 4, 4).map(Int.init) }
        }
        guard let first = counts(at: 0), first.count == 6, data[4] >= UInt8(ascii: "2") else { return nil }
        let (isUT, isStd, leaps, times, types, chars) = (first[0], first[1], first[2], first[3], first[4], first[5])
        let secondHeader = 44 + times * 5 + types * 6 + chars + leaps * 8 + isStd + isUT
        guard let second = counts(at: secondHeader), second.count == 6 else { return nil }
        let (timeCount, typeCount) = (second[3], second[4])
        let timesStart = secondHeader + 44
        let indicesStart = timesStart + timeCount * 8
        let typesStart = indicesStart + timeCount
        guard typeCount > 0, typesStart + typeCount * 6 <= data.count else { return nil }
        let offsets = (0..<typeCount).compactMap { integer(typesStart + $0 * 6, 4).map(Int32.init) }
        var transitions: [(at: Int64, offset: Int32)] = []
        for index in 0..<timeCount {
            guard let at = integer(timesStart + index * 8, 8) else { return nil }
            let type = Int(data[indicesStart + index])
            guard type < offsets.count else { return nil }
            transitions.append((at, offsets[type]))
        }
        // RFC 8536 §3.2: before the first transition, the first type applies.
        return (transitions, offsets[0])
    }
}
