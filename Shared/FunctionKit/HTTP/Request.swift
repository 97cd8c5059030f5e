public import HTTPTypes

/// One HTTP request as a function sees it, whichever host delivered it (CGI, the local runtime,
/// or a test calling the handler directly).
public struct Request: Sendable {
    public var method: HTTPRequest.Method
    /// The decoded request path: the CGI host's SCRIPT_NAME followed by PATH_INFO.
    public var path: String
    /// Query parameters in order, decoded. Use `query[name]` for the first value.
    public var query: QueryParameters
    public var headers: HTTPFields
    /// The body, exactly CONTENT_LENGTH bytes. Empty when `bodyLimitExceeded` is set.
    public var body: [UInt8]
    /// Set when the declared body was larger than the limit, so it was not read.
    public var bodyLimitExceeded: BodyLimitExceeded?
    /// Set when the body ended before its declared length; `body` holds what arrived.
    public var truncatedBody: TruncatedBody?
    public var remoteAddress: String?
    /// When the function received the request; deadlines count from here.
    public var receivedAt: ContinuousClock.Instant

    public init(
        method: HTTPRequest.Method,
        path: String,
        query: QueryParameters = QueryParameters(),
        headers: HTTPFields = HTTPFields(),
        body: [UInt8] = [],
        bodyLimitExceeded: BodyLimitExceeded? = nil,
        remoteAddress: String? = nil,
        receivedAt: ContinuousClock.Instant = .now
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.bodyLimitExceeded = bodyLimitExceeded
        self.remoteAddress = remoteAddress
        self.receivedAt = receivedAt
    }

    /// The media type of the body without parameters, lower-cased: `application/json`.
    public var mediaType: String? {
        guard let value = headers[.contentType] else { return nil }
        let type = value.split(separator: ";", maxSplits: 1).first.map { String($0).trimmingSpaces } ?? ""
        return type.isEmpty ? nil : type.lowercased()
    }

    /// Answers 405 with an `Allow` header unless the method is one of `allowed`.
    /// The path's segments after `root` (`/api/admin/webhooks/wh_1/test` under
    /// `/api/admin/webhooks` is `["wh_1", "test"]`): how an admin function reads its sub-routes.
    public func segments(under root: String) -> [String] {
        let rest = path.hasPrefix(root) ? String(path.dropFirst(root.count)) : path
        return rest.split(separator: "/").map(String.init)
    }

    public func require(method allowed: HTTPRequest.Method...) throws(HTTPError) {
        guard allowed.contains(method) else { throw .methodNotAllowed(allowed: allowed) }
    }
}

/// Decoded query parameters in their original order; repeated names are kept.
public struct QueryParameters: Sendable {
    public let pairs: [(name: String, value: String)]

    public init(_ pairs: [(name: String, value: String)] = []) { self.pairs = pairs }
    public init(queryString: String) { self.pairs = URLEncoding.pairs(queryString) }

    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// A date or time parameter (see `ISO8601Time`; fractions and offsets are honoured) as the
    /// store writes times, `2025-12-06T10:00:00.500Z`, so that comparing the text compares the
    /// instants. A time finer than a millisecond is rounded up: stored times are whole
    /// milliseconds, so `>=` and `<` against it keep their meaning. Nil when absent; 400 naming
    /// the parameter when it is not a possible date or time.
    public func instant(_ name: String) throws(HTTPError) -> String? {
        guard let value = self[name] else { return nil }
        return try Self.instant(value, parameter: name)
    }

    public static func instant(_ value: String, parameter name: String) throws(HTTPError) -> String {
        guard let microseconds = ISO8601Time.microseconds(value) else {
            throw .badRequest(
                "\(name) must be an ISO 8601 date or time, such as 2025-12-06, 2025-12-06T10:00:00Z or 2025-12-06T15:30:00.5+05:30; got \"\(value.prefix(60))\".",
                code: .invalidParameter)
        }
        return Timestamp(millisecondsSince1970: -((-microseconds).floorDivided(by: 1000))).iso8601
    }
}

/// A body that ended early: `received` of the `declared` bytes arrived.
public struct TruncatedBody: Sendable, Equatable {
    public let received: Int
    public let declared: Int

    public init(received: Int, declared: Int) {
        self.received = received
        self.declared = declared
    }
}

/// A body the host declared but the function refused to read: `length` is over `limit`.
public struct BodyLimitExceeded: Sendable, Equatable {
    public let length: Int
    public let limit: Int

    public init(length: Int, limit: Int) {
        self.length = length
        self.limit = limit
    }
}
