/// A zip archive written in memory, every file stored uncompressed: a widget is a few
/// kilobytes, and a stored entry is what every zip reader (Kommo's upload included) takes.
/// Times are fixed (1980-01-01), so the same files give the same bytes.
struct ZipWriter {
    private var body: [UInt8] = []
    private var directory: [UInt8] = []
    private var count = 0

    enum Failure: Error, CustomStringConvertible {
        case tooLarge(String)
        var description: String {
            switch self { case .tooLarge(let path): "\(path) is too large for this archive (zip entries here are under 4 GiB, 65,535 of them)" }
        }
    }

    /// Adds a file at `path` (forward slashes, no leading slash).
    mutating func add(_ path: String, _ contents: [UInt8]) throws(Failure) {
        let name = Array(path.utf8)
        guard contents.count < Int(UInt32.max), body.count < Int(UInt32.max) - contents.count - 30 - name.count, count < Int(UInt16.max),
            name.count < Int(UInt16.max)
        else { throw .tooLarge(path) }
        let offset = UInt32(body.count)
        let crc = CRC32.checksum(contents)
        // Version needed 2.0; flags: bit 11, the name is UTF-8; method 0, stored; time 0, date 1980-01-01.
        let common: [UInt8] = le16(20) + le16(0x0800) + le16(0) + le16(0) + le16(0x21) + le32(crc) + le32(UInt32(contents.count))
            + le32(UInt32(contents.count)) + le16(UInt16(name.count)) + le16(0)
        body += le32(0x0403_4b50) + common + name + contents
        // Made by: version 2.0 on Unix; no comment, disk 0, no internal attributes; external
        // attributes: a regular file readable by everyone (0100644 in the high half).
        directory += le32(0x0201_4b50) + le16(0x0314) + common + le16(0) + le16(0) + le16(0) + le32(0o100644 << 16) + le32(offset) + name
        count += 1
    }

    /// The archive's bytes: the entries, their central directory and its end record.
    var bytes: [UInt8] {
        body + directory + le32(0x0605_4b50) + le16(0) + le16(0) + le16(UInt16(count)) + le16(UInt16(count)) + le32(UInt32(directory.count))
            + le32(UInt32(body.count)) + le16(0)
    }

    private func le16(_ value: UInt16) -> [UInt8] { [UInt8(value & 0xFF), UInt8(value >> 8)] }
    private func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) } }
}

/// CRC-32 as zip uses it (the IEEE polynomial, reflected).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        (0..<8).reduce(UInt32(index)) { crc, _ in crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        ~bytes.reduce(~UInt32(0)) { crc, byte in table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
    }
}
