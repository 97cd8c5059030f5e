#if canImport(Glibc)
import Glibc
#endif

/// Structured logs: one JSON object a line on stderr, which every CGI host collects (or in
/// LEADWIRE_LOG_PATH).
/// Callers pass only what is safe to keep; secrets, tokens and bodies never go here.
public struct Logger: Sendable {
    public let function: String
    /// The request these lines are about (see `RequestID`); nil for the process's own lines.
    public private(set) var requestID: String?
    private let sink: @Sendable (String) -> Void

    public init(function: String, sink: @escaping @Sendable (String) -> Void = Logger.standardError) {
        self.function = function
        self.sink = sink
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        var bytes = Array(line.utf8)
        bytes.append(0x0A)
        _ = FileDescriptorIO.writeAll(bytes, to: 2)
    }

    /// A sink appending each line to `path` (LEADWIRE_LOG_PATH), for hosts that give a function
    /// no stderr worth writing to (spawn-fcgi closes it). Each line is one `write` to a file
    /// opened in append mode, so the processes sharing the file never interleave within a line.
    /// Falls back to stderr, saying why, when the file cannot be opened.
    public static func appending(to path: String) -> @Sendable (String) -> Void {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        guard descriptor >= 0 else {
            let reason = String(cString: strerror(errno))
            standardError(#"{"level":"error","event":"log_file_unavailable","path":\#(JSONValue.string(path).jsonText),"message":\#(JSONValue.string(reason).jsonText)}"#)
            return standardError
        }
        return { line in
            var bytes = Array(line.utf8)
            bytes.append(0x0A)
            _ = FileDescriptorIO.writeAll(bytes, to: descriptor)
        }
    }

    /// The same log, each line naming the request it is about.
    public func about(request id: String) -> Logger {
        var logger = self
        logger.requestID = id
        return logger
    }

    public func info(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) {
        log("info", event, fields)
    }

    /// Fields made at run time (a report's counts).
    public func info(_ event: String, fields: [(key: String, value: JSONValue)]) {
        log("info", event, fields)
    }

    public func error(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) {
        log("error", event, fields)
    }

    private func log(_ level: String, _ event: String, _ fields: some Sequence<(key: String, value: JSONValue)>) {
        var object = JSONObject([
            ("ts", .string(Timestamp.now().iso8601)), ("level", .string(level)),
            ("function", .string(function)), ("event", .string(event)),
        ])
        if let requestID { object["request_id"] = .string(requestID) }
        for (key, value) in fields { object[key] = value }
        sink(JSONValue.object(object).jsonText)
    }
}
