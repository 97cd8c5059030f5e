/// What a function keeps for the life of its process: the store connection, settings parsed
/// once. A CGI process answers one request and exits; a FastCGI process answers many, and
/// this is what makes the later ones cheap.
///
/// Unchecked Sendable: a function process answers its requests one at a time, on one thread.
public final class ProcessResources: @unchecked Sendable {
    private var values: [ObjectIdentifier: Any] = [:]

    public init() {}

    /// The value of `type`, made by `make` the first time and kept. A `make` that throws keeps
    /// nothing, so the next request tries again (a store that was briefly unavailable).
    public func value<Value>(_ type: Value.Type = Value.self, make: () throws -> Value) rethrows -> Value {
        if let value = values[ObjectIdentifier(type)] as? Value { return value }
        let value = try make()
        values[ObjectIdentifier(type)] = value
        return value
    }
}
