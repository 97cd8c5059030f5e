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
    /// With `allowingZero`, 0 is a value too (a wait of none, a rule turned off).
    public func integer(_ name: String, default defaultValue: Int, allowingZero: Bool = false) throws(ConfigurationError) -> Int {
        guard let text = self[name] else { return defaultValue }
        guard let value = Int(text), value > 0 || (allowingZero && value == 0) else {
            let expected = allowingZero ? "0 or a positive whole number" : "a positive whole number"
            throw ConfigurationError(message: "\(name) must be \(expected), got \"\(text)\".")
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
