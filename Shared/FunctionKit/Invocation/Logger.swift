/// Structured logs: one JSON object a line on stderr, which every CGI host collects.
/// Callers pass only what is safe to keep; secrets, tokens and bodies never go here.
public struct Logger: Sendable {
    public let function: String
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

    public func info(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) {
        log("info", event, fields)
    }

    public func error(_ event: String, _ fields: KeyValuePairs<String, JSONValue> = [:]) {
        log("error", event, fields)
    }

    private func log(_ level: String, _ event: String, _ fields: KeyValuePairs<String, JSONValue>) {
        var object = JSONObject([
            ("ts", .string(Timestamp.now().iso8601)), ("level", .string(level)),
            ("function", .string(function)), ("event", .string(event)),
        ])
        for (key, value) in fields { object[key] = value }
        sink(JSONValue.object(object).jsonText)
    }
}
