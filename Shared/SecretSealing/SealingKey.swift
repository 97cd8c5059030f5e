public import FunctionKit
import SystemCrypto

/// The key that seals secrets at rest (`LEADWIRE_SECRET_KEY`): 32 bytes, given as 64 hex digits
/// or as base64. Whoever holds the database file but not this key cannot read the secrets.
public struct SealingKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public static let variable = "LEADWIRE_SECRET_KEY"
    let bytes: [UInt8]

    // Never printed, whatever prints a value that holds it (an error message, a debugger).
    public var description: String { "SealingKey(redacted)" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: []) }

    public init(bytes: [UInt8]) throws(ConfigurationError) {
        guard bytes.count == 32 else {
            throw ConfigurationError(message: "\(Self.variable) must be 32 bytes (64 hex digits or base64); it is \(bytes.count).")
        }
        self.bytes = bytes
    }

    /// The key from the settings, or an error that says how to make one.
    public init(_ environment: Environment) throws(ConfigurationError) {
        guard let text = environment[Self.variable] else {
            throw ConfigurationError(
                message: "\(Self.variable) is not set: webhook signing secrets are stored encrypted with it. Make one with `openssl rand -hex 32`.")
        }
        guard let bytes = Hex.decode(text) ?? Base64.decode(text) else {
            throw ConfigurationError(message: "\(Self.variable) is neither hex nor base64.")
        }
        try self.init(bytes: bytes)
    }
}
