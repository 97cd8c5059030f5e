/// FastCGI 1.0 records: an 8-byte header (version, type, request id, content length, padding
/// length, a reserved byte), the content, then padding. Everything is big-endian.

/// What a record carries.
public enum RecordType: UInt8, Sendable {
    case beginRequest = 1
    case abortRequest = 2
    case endRequest = 3
    case params = 4
    case stdin = 5
    case stdout = 6
    case stderr = 7
    case data = 8
    case getValues = 9
    case getValuesResult = 10
    case unknownType = 11
}

/// One record. `type` is the raw byte, since a peer may send types this side does not know
/// (and must then answer `unknownType`).
public struct Record: Sendable, Equatable {
    public static let headerLength = 8
    public static let version: UInt8 = 1
    /// The most content one record can carry.
    public static let maxContentLength = 65_535
    /// Management records (`getValues`, `unknownType`) use request id 0.
    public static let managementRequestID: UInt16 = 0

    public var rawType: UInt8
    public var requestID: UInt16
    public var content: [UInt8]

    public var type: RecordType? { RecordType(rawValue: rawType) }

    public init(_ type: RecordType, requestID: UInt16, content: [UInt8] = []) {
        self.init(rawType: type.rawValue, requestID: requestID, content: content)
    }

    public init(rawType: UInt8, requestID: UInt16, content: [UInt8]) {
        precondition(content.count <= Self.maxContentLength, "a record carries at most 65,535 bytes")
        self.rawType = rawType
        self.requestID = requestID
        self.content = content
    }

    /// Appends the record's bytes, padded to a multiple of 8 as the specification recommends.
    public func encode(into bytes: inout [UInt8]) {
        Self.appendHeader(rawType: rawType, requestID: requestID, contentLength: content.count, into: &bytes)
        bytes += content
        bytes += repeatElement(0, count: Self.padding(for: content.count))
    }

    public var encoded: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Self.headerLength + content.count + 7)
        encode(into: &bytes)
        return bytes
    }

    static func padding(for contentLength: Int) -> Int { (8 - contentLength % 8) % 8 }

    /// Appends a header only, for writers that send the content from their own buffer.
    public static func appendHeader(rawType: UInt8, requestID: UInt16, contentLength: Int, into bytes: inout [UInt8]) {
        bytes += [
            version, rawType, UInt8(requestID >> 8), UInt8(requestID & 0xFF),
            UInt8(contentLength >> 8), UInt8(contentLength & 0xFF), UInt8(padding(for: contentLength)), 0,
        ]
    }

    /// Encodes a stream (`params`, `stdin`, `stdout`) of any length as records of at most
    /// `maxContentLength` bytes each. The empty record that ends a stream is not included.
    public static func stream(_ type: RecordType, requestID: UInt16, _ content: [UInt8]) -> [UInt8] {
        var bytes: [UInt8] = []
        var start = 0
        while start < content.count {
            let end = min(start + maxContentLength, content.count)
            Record(type, requestID: requestID, content: Array(content[start..<end])).encode(into: &bytes)
            start = end
        }
        return bytes
    }
}

/// The role a web server asks the application to play (`beginRequest`).
public enum Role: UInt16, Sendable {
    case responder = 1
    case authorizer = 2
    case filter = 3
}

/// The content of a `beginRequest` record.
public struct BeginRequest: Sendable, Equatable {
    /// The raw role, since a server may ask for one this side does not play.
    public var rawRole: UInt16
    /// FCGI_KEEP_CONN: the connection stays open after the request.
    public var keepConnection: Bool

    public var role: Role? { Role(rawValue: rawRole) }

    public init(role: Role, keepConnection: Bool) {
        rawRole = role.rawValue
        self.keepConnection = keepConnection
    }

    public init(content: [UInt8]) throws(ProtocolError) {
        guard content.count == 8 else { throw .malformed("a begin-request record carries 8 bytes, not \(content.count)") }
        rawRole = UInt16(content[0]) << 8 | UInt16(content[1])
        keepConnection = content[2] & 1 == 1
    }

    public var content: [UInt8] { [UInt8(rawRole >> 8), UInt8(rawRole & 0xFF), keepConnection ? 1 : 0, 0, 0, 0, 0, 0] }
}

/// How a request ended, from the application's side (`endRequest`).
public enum ProtocolStatus: UInt8, Sendable {
    case requestComplete = 0
    case cannotMultiplexConnection = 1
    case overloaded = 2
    case unknownRole = 3
}

/// The content of an `endRequest` record.
public struct EndRequest: Sendable, Equatable {
    public var applicationStatus: UInt32
    public var protocolStatus: ProtocolStatus

    public init(applicationStatus: UInt32 = 0, protocolStatus: ProtocolStatus = .requestComplete) {
        self.applicationStatus = applicationStatus
        self.protocolStatus = protocolStatus
    }

    public init(content: [UInt8]) throws(ProtocolError) {
        guard content.count == 8, let status = ProtocolStatus(rawValue: content[4]) else {
            throw .malformed("an end-request record carries 8 bytes with a known protocol status")
        }
        applicationStatus = content[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
        protocolStatus = status
    }

    public var content: [UInt8] {
        [
            UInt8(applicationStatus >> 24), UInt8(applicationStatus >> 16 & 0xFF), UInt8(applicationStatus >> 8 & 0xFF),
            UInt8(applicationStatus & 0xFF), protocolStatus.rawValue, 0, 0, 0,
        ]
    }
}

/// A peer broke the protocol: the connection it came on cannot be trusted further.
public enum ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    case malformed(String)
    case limitExceeded(String)

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed FastCGI input: \(reason)"
        case .limitExceeded(let reason): "FastCGI input over a limit: \(reason)"
        }
    }
}

extension Record {
    /// The records that finish a response: the empty `stdout` that ends the stream, then
    /// `endRequest`.
    public static func endOfResponse(requestID: UInt16, applicationStatus: UInt32 = 0) -> [UInt8] {
        Record(.stdout, requestID: requestID).encoded + ResponderConnection.end(requestID, .requestComplete, applicationStatus: applicationStatus)
    }
}
