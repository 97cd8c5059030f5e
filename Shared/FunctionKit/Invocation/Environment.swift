#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process environment as a value, so a handler reads its settings the same way under a
/// CGI host, the runtime, or a test that passes its own.
public struct Environment: Sendable {
    public var values: [String: String]

    public init(_ values: [String: String] = [:]) { self.values = values }

    /// This process's environment.
    public static var process: Environment {
        var values: [String: String] = [:]
        var entry = environ
        while let pointer = entry.pointee {
            let pair = String(cString: pointer)
            if let equals = pair.firstIndex(of: "=") {
                values[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
            }
            entry += 1
        }
        return Environment(values)
    }

    public subscript(name: String) -> String? {
        get { values[name].flatMap { $0.isEmpty ? nil : $0 } }
        set { values[name] = newValue }
    }

    /// A whole number setting, or `defaultValue` when unset. A value that is not a positive
    /// number is a configuration mistake and is reported, not silently replaced.
    public func integer(_ name: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let text = self[name] else { return defaultValue }
        guard let value = Int(text), value > 0 else {
            throw ConfigurationError(message: "\(name) must be a positive whole number, got \"\(text)\".")
        }
        return value
    }
}

/// A setting that has a value the function cannot use.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }

    public init(message: String) { self.message = message }
}

/// Settings every function shares. Each is an environment variable with a default; the README
/// lists them all.
extension Environment {
    /// The variable the logs function sets, to the log's id, when it runs a function again for
    /// a stored event. It is read from the process environment, which a request cannot set
    /// (hosts turn headers into HTTP_* variables only, and FastCGI parameters are not the
    /// process environment), so a sender's checks can trust it.
    public static let replayVariable = "LEADWIRE_REPLAY_OF"

    /// Whether this run replays a stored event rather than answering a sender.
    public var isReplay: Bool { self[Self.replayVariable] != nil }
}

public struct FunctionSettings: Sendable {
    /// LEADWIRE_MAX_BODY_BYTES: larger request bodies are answered with 413 and never read.
    public var maxBodyBytes: Int

    /// LEADWIRE_WEBHOOK_DEADLINE_MS: an inbound webhook not stored this long after it arrived
    /// is rolled back and answered 503, so the sender retries instead of taking a late answer
    /// for a failure (Kommo waits 2 seconds).
    public var webhookDeadline: Duration

    /// LEADWIRE_MAX_FORM_KEYS, LEADWIRE_MAX_NESTING_DEPTH, LEADWIRE_MAX_FORM_INDEX: how complex
    /// a body may be (see `FormLimits`).
    public var bodyLimits: FormLimits

    public static let defaultMaxBodyBytes = 1_048_576
    public static let defaultWebhookDeadlineMilliseconds = 1_500

    public init(_ environment: Environment) throws(ConfigurationError) {
        maxBodyBytes = try environment.integer("LEADWIRE_MAX_BODY_BYTES", default: Self.defaultMaxBodyBytes)
        webhookDeadline = .milliseconds(
            try environment.integer("LEADWIRE_WEBHOOK_DEADLINE_MS", default: Self.defaultWebhookDeadlineMilliseconds))
        bodyLimits = FormLimits(
            maxFields: try environment.integer("LEADWIRE_MAX_FORM_KEYS", default: FormLimits.defaultMaxFields),
            maxDepth: try environment.integer("LEADWIRE_MAX_NESTING_DEPTH", default: FormLimits.defaultMaxDepth),
            maxIndex: try environment.integer("LEADWIRE_MAX_FORM_INDEX", default: FormLimits.defaultMaxIndex))
    }
}
