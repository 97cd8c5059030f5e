/// One transport connection as seen by a responder that serves one request at a time on it (a
/// process may serve several connections at once, each with its own `ResponderConnection`): it
/// takes records in order and says what to send back and when a request is complete. It does
/// no I/O, so the same logic runs under the real socket loop, the tests and the fuzzer.
public struct ResponderConnection: Sendable {
    public struct Limits: Sendable {
        /// The most bytes of encoded parameters one request may send.
        public var maxParamsBytes: Int
        /// The most body bytes kept; a longer body is read and dropped, and the request is
        /// marked so it can be refused (413) without ending the process.
        public var maxBodyBytes: Int
        /// The connections the process serves at once, as `getValues` reports it.
        public var maxConnections: Int

        public init(maxParamsBytes: Int, maxBodyBytes: Int, maxConnections: Int = 1) {
            self.maxParamsBytes = maxParamsBytes
            self.maxBodyBytes = maxBodyBytes
            self.maxConnections = maxConnections
        }
    }

    /// A request whose parameters and body have all arrived.
    public struct CompleteRequest: Sendable {
        public let requestID: UInt16
        public let keepConnection: Bool
        public let params: [(name: [UInt8], value: [UInt8])]
        /// The body, when it fit the limit.
        public let body: [UInt8]
        /// How many body bytes arrived in all; more than `body.count` when the body was over the limit.
        public let bodyByteCount: Int
    }

    public enum Step: Sendable {
        /// Bytes to send at once (answers to management records, refused requests).
        case send([UInt8])
        /// A request to answer; its answer must be sent before more records are taken.
        case answer(CompleteRequest)
        /// The server aborted the request in progress; what to send is included. When the
        /// connection was not to be kept, close it after sending.
        case aborted(send: [UInt8], keepConnection: Bool)
    }

    private enum State {
        case idle
        case readingParams(Active)
        case readingBody(Active)
    }

    private struct Active {
        let requestID: UInt16
        let keepConnection: Bool
        var params: [UInt8] = []
        var pairs: [(name: [UInt8], value: [UInt8])] = []
        var body: [UInt8] = []
        var bodyByteCount = 0
    }

    private var state = State.idle
    public let limits: Limits

    public init(limits: Limits) { self.limits = limits }

    /// Whether no request is under way: none begun, none waiting for its answer.
    public var isIdle: Bool {
        if case .idle = state { return true }
        return false
    }

    /// What the values asked for in `getValues` are for this responder: `maxConnections`
    /// connections, one request at a time on each, no multiplexing.
    public var values: [String: String] {
        let connections = String(limits.maxConnections)
        return ["FCGI_MAX_CONNS": connections, "FCGI_MAX_REQS": connections, "FCGI_MPXS_CONNS": "0"]
    }

    /// Takes the next record. Throws when the peer breaks the protocol: the connection must
    /// then be closed.
    public mutating func receive(_ record: Record) throws(ProtocolError) -> Step? {
        if record.requestID == Record.managementRequestID { return try management(record) }
        guard let type = record.type else { return nil }  // an unknown application record: ignored
        switch (type, state) {
        case (.beginRequest, .idle):
            let begin = try BeginRequest(content: record.content)
            guard begin.role == .responder else {
                return .send(Self.end(record.requestID, .unknownRole))
            }
            state = .readingParams(Active(requestID: record.requestID, keepConnection: begin.keepConnection))
            return nil
        case (.beginRequest, .readingParams(let active)), (.beginRequest, .readingBody(let active)):
            guard record.requestID != active.requestID else { throw .malformed("request \(record.requestID) began twice") }
            _ = try BeginRequest(content: record.content)
            return .send(Self.end(record.requestID, .cannotMultiplexConnection))
        case (.abortRequest, .readingParams(let active)), (.abortRequest, .readingBody(let active)):
            guard record.requestID == active.requestID else { return nil }
            state = .idle
            return .aborted(send: Self.end(active.requestID, .requestComplete), keepConnection: active.keepConnection)
        case (.params, .readingParams(var active)):
            guard record.requestID == active.requestID else { return nil }
            if record.content.isEmpty {
                active.pairs = try NameValuePairs.decode(active.params)
                active.params = []
                state = .readingBody(active)
                return nil
            }
            guard active.params.count + record.content.count <= limits.maxParamsBytes else {
                throw .limitExceeded("parameters over \(limits.maxParamsBytes) bytes (LEADWIRE_FASTCGI_MAX_PARAMS_BYTES)")
            }
            active.params += record.content
            state = .readingParams(active)
            return nil
        case (.stdin, .readingBody(var active)):
            guard record.requestID == active.requestID else { return nil }
            if record.content.isEmpty {
                state = .idle
                return .answer(
                    CompleteRequest(
                        requestID: active.requestID, keepConnection: active.keepConnection, params: active.pairs,
                        body: active.bodyByteCount > limits.maxBodyBytes ? [] : active.body, bodyByteCount: active.bodyByteCount))
            }
            active.bodyByteCount += record.content.count
            if active.bodyByteCount <= limits.maxBodyBytes {
                active.body += record.content
            } else {
                active.body = []  // over the limit: what arrives is read and dropped
            }
            state = .readingBody(active)
            return nil
        case (.stdin, .readingParams(let active)):
            guard record.requestID == active.requestID else { return nil }
            throw .malformed("body before the end of the parameters")
        case (.data, _):
            return nil  // the filter role's second stream; a responder has none
        case (.abortRequest, .idle), (.params, _), (.stdin, _):
            return nil  // for a request that is not in progress: ignored, as the specification says
        case (.endRequest, _), (.stdout, _), (.stderr, _), (.getValuesResult, _), (.unknownType, _), (.getValues, _):
            throw .malformed("record type \(record.rawType) is not one a web server sends for a request")
        }
    }

    private func management(_ record: Record) throws(ProtocolError) -> Step {
        guard record.type == .getValues else {
            return .send(Record(.unknownType, requestID: 0, content: [record.rawType, 0, 0, 0, 0, 0, 0, 0]).encoded)
        }
        let asked = try NameValuePairs.decode(record.content)
        let answers = asked.compactMap { pair -> (name: String, value: String)? in
            let name = String(decoding: pair.name, as: UTF8.self)
            return values[name].map { (name, $0) }
        }
        return .send(Record(.getValuesResult, requestID: 0, content: NameValuePairs.encode(answers)).encoded)
    }

    static func end(_ requestID: UInt16, _ status: ProtocolStatus, applicationStatus: UInt32 = 0) -> [UInt8] {
        Record(.endRequest, requestID: requestID, content: EndRequest(applicationStatus: applicationStatus, protocolStatus: status).content)
            .encoded
    }
}
