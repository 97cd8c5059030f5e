/// What a function keeps for the life of its process: the store connection, settings parsed
/// once. A CGI process answers one request and exits; a FastCGI process answers many, and
/// this is what makes the later ones cheap.
///
/// Unchecked Sendable: a function process answers its requests one at a time, on one thread.
public final class ProcessResources: @unchecked Sendable {
    private var values: [ObjectIdentifier: Any] = [:]
    /// Whether the requests being answered form a group whose writes commit together.
    private var grouping = false
    /// Whether the process answers one request and exits (a CGI process), which changes how
    /// some kept things tidy up after themselves (the store's log, see `openStore`).
    public internal(set) var livesForOneRequest = false

    public init() {}

    /// The value of `type`, made by `make` the first time and kept. A `make` that throws keeps
    /// nothing, so the next request tries again (a store that was briefly unavailable).
    public func value<Value>(_ type: Value.Type = Value.self, make: () throws -> Value) rethrows -> Value {
        if let value = values[ObjectIdentifier(type)] as? Value { return value }
        let value = try make()
        values[ObjectIdentifier(type)] = value
        // A store first opened by a request inside a group joins the group.
        if grouping, let joining = value as? any GroupCommitting { joining.beginGroup() }
        return value
    }

    /// Round trips to servers so far, by everything kept (see `RoundTripCounting`).
    public var roundTrips: Int {
        values.values.reduce(0) { total, value in total + ((value as? any RoundTripCounting)?.roundTrips ?? 0) }
    }

    /// Starts a group of requests whose writes commit together (see `GroupCommitting`).
    public func beginGroup() {
        grouping = true
        for case let member as any GroupCommitting in values.values { member.beginGroup() }
    }

    /// Commits the group's writes; throws when any of them could not be kept.
    public func commitGroup() throws {
        grouping = false
        var failure: (any Error)?
        for case let member as any GroupCommitting in values.values {
            do { try member.commitGroup() } catch { failure = error }
        }
        if let failure { throw failure }
    }
}
