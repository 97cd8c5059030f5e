/// The FastCGI 1.0 wire format as the specification lays it out, written for the tests alone:
/// it shares no code with `Shared/FastCGI`, so a mistake made the same way on both sides of
/// the production codec cannot pass the function tests.
///
/// A record is an 8-byte header (version 1, type, request id and content length big-endian,
/// padding length, a reserved byte), the content, then the padding.
enum FastCGIWire {
    static let beginRequest: UInt8 = 1
    static let abortRequest: UInt8 = 2
    static let endRequest: UInt8 = 3
    static let params: UInt8 = 4
    static let stdin: UInt8 = 5
    static let stdout: UInt8 = 6
    static let stderr: UInt8 = 7
    static let getValues: UInt8 = 9
    static let getValuesResult: UInt8 = 10
    static let unknownType: UInt8 = 11

    static let headerLength = 8
    /// The most one record's content can hold (a 16-bit length).
    static let maxContentLength = 65_535

    /// The protocol status of an END_REQUEST: 0 complete, 1 cannot multiplex, 2 overloaded, 3 unknown role.
    static let requestComplete: UInt8 = 0
    static let cannotMultiplexConnection: UInt8 = 1

    struct Record: Equatable {
        let type: UInt8
        let requestID: UInt16
        let content: [UInt8]
    }

    /// One record, padded to a multiple of 8 bytes as the specification recommends.
    static func record(_ type: UInt8, id: UInt16, _ content: [UInt8] = []) -> [UInt8] {
        precondition(content.count <= maxContentLength)
        let padding = (8 - content.count % 8) % 8
        let header: [UInt8] = [
            1, type, UInt8(id >> 8), UInt8(id & 0xFF), UInt8(content.count >> 8), UInt8(content.count & 0xFF), UInt8(padding), 0,
        ]
        return header + content + [UInt8](repeating: 0, count: padding)
    }

    /// A stream (PARAMS, STDIN): the bytes in records of at most 65,535, then the empty record
    /// that ends it.
    static func stream(_ type: UInt8, id: UInt16, _ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + maxContentLength, bytes.count)
            out += record(type, id: id, Array(bytes[offset..<end]))
            offset = end
        }
        return out + record(type, id: id)
    }

    /// BEGIN_REQUEST's body: role (1 = responder) big-endian, flags (1 = keep the connection), 5 reserved.
    static func beginBody(role: UInt16 = 1, keepConnection: Bool) -> [UInt8] {
        [UInt8(role >> 8), UInt8(role & 0xFF), keepConnection ? 1 : 0, 0, 0, 0, 0, 0]
    }

    /// Name-value pairs: each length in one byte below 128, else four with the top bit set.
    static func pairs(_ pairs: [(String, String)]) -> [UInt8] {
        func length(_ count: Int) -> [UInt8] {
            count < 128 ? [UInt8(count)] : [UInt8((count >> 24) | 0x80), UInt8((count >> 16) & 0xFF), UInt8((count >> 8) & 0xFF), UInt8(count & 0xFF)]
        }
        return pairs.flatMap { name, value in length(name.utf8.count) + length(value.utf8.count) + Array(name.utf8) + Array(value.utf8) }
    }

    static func decodePairs(_ bytes: [UInt8]) -> [(String, String)]? {
        var index = 0
        func length() -> Int? {
            guard index < bytes.count else { return nil }
            if bytes[index] < 128 {
                index += 1
                return Int(bytes[index - 1])
            }
            guard index + 4 <= bytes.count else { return nil }
            let value = Int(bytes[index] & 0x7F) << 24 | Int(bytes[index + 1]) << 16 | Int(bytes[index + 2]) << 8 | Int(bytes[index + 3])
            index += 4
            return value
        }
        var pairs: [(String, String)] = []
        while index < bytes.count {
            guard let nameLength = length(), let valueLength = length(), index + nameLength + valueLength <= bytes.count else { return nil }
            let name = String(decoding: bytes[index..<index + nameLength], as: UTF8.self)
            let value = String(decoding: bytes[index + nameLength..<index + nameLength + valueLength], as: UTF8.self)
            pairs.append((name, value))
            index += nameLength + valueLength
        }
        return pairs
    }

    /// END_REQUEST's body: the application status (32-bit big-endian) and the protocol status.
    struct EndRequest: Equatable {
        let applicationStatus: UInt32
        let protocolStatus: UInt8

        init?(_ content: [UInt8]) {
            guard content.count == 8 else { return nil }
            applicationStatus = content[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
            protocolStatus = content[4]
        }

        init(applicationStatus: UInt32, protocolStatus: UInt8) {
            self.applicationStatus = applicationStatus
            self.protocolStatus = protocolStatus
        }
    }

    /// Splits a byte stream into records as they arrive.
    struct Reader {
        private var buffer: [UInt8] = []

        mutating func append(_ bytes: ArraySlice<UInt8>) { buffer += bytes }

        /// The next whole record, nil until one has arrived; throws on a header that is not FastCGI 1.
        mutating func next() throws -> Record? {
            guard buffer.count >= headerLength else { return nil }
            guard buffer[0] == 1 else { throw TestSetupError("a record of FastCGI version \(buffer[0])") }
            let contentLength = Int(buffer[4]) << 8 | Int(buffer[5])
            let total = headerLength + contentLength + Int(buffer[6])
            guard buffer.count >= total else { return nil }
            let record = Record(
                type: buffer[1], requestID: UInt16(buffer[2]) << 8 | UInt16(buffer[3]),
                content: Array(buffer[headerLength..<headerLength + contentLength]))
            buffer.removeFirst(total)
            return record
        }
    }
}
