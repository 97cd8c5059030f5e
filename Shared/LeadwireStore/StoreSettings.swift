/// Where the store lives, how long a writer waits for the lock, and when a commit counts as
/// durable; all from the environment.
public struct StoreSettings: Sendable {
    /// LEADWIRE_DATABASE: path of the SQLite file, created on first use.
    public var databasePath: String
    /// LEADWIRE_BUSY_TIMEOUT_MS: how long a write waits for other writers before giving up.
    public var busyTimeoutMilliseconds: Int32
    /// LEADWIRE_SQLITE_SYNCHRONOUS: `full` or `normal`.
    public var durability: Durability

    public static let defaultDatabasePath = "leadwire.sqlite3"
    public static let defaultBusyTimeoutMilliseconds: Int32 = 5000

    /// When SQLite syncs a commit to disk (its `synchronous` pragma, in WAL mode).
    public enum Durability: String, Sendable {
        /// Every commit is synced before the function answers: an acknowledged event survives a
        /// power cut. The default.
        case full
        /// Commits are synced at checkpoints only: an acknowledged event survives a crash of any
        /// process, but the last commits can be lost to a power cut or a kernel panic. Faster
        /// under concurrent writers, since a commit no longer waits for the disk.
        case normal
    }

    public init(
        databasePath: String = defaultDatabasePath, busyTimeoutMilliseconds: Int32 = defaultBusyTimeoutMilliseconds,
        durability: Durability = .full
    ) {
        self.databasePath = databasePath
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.durability = durability
    }

    /// Reads the settings; a value that is set but unusable is an error that names it, never
    /// silently the default.
    public init(environment: [String: String]) throws(InvalidStoreSetting) {
        let busyTimeout = try Self.value("LEADWIRE_BUSY_TIMEOUT_MS", in: environment, expected: "a positive number of milliseconds") {
            Int32($0).flatMap { $0 > 0 ? $0 : nil }
        }
        let durability = try Self.value("LEADWIRE_SQLITE_SYNCHRONOUS", in: environment, expected: "full or normal") {
            Durability(rawValue: $0.lowercased())
        }
        self.init(
            databasePath: Self.databasePath(in: environment),
            busyTimeoutMilliseconds: busyTimeout ?? Self.defaultBusyTimeoutMilliseconds,
            durability: durability ?? .full)
    }

    /// LEADWIRE_DATABASE, or the default when it is unset or empty.
    public static func databasePath(in environment: [String: String]) -> String {
        environment["LEADWIRE_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? defaultDatabasePath
    }

    private static func value<Value>(
        _ name: String, in environment: [String: String], expected: String, parse: (String) -> Value?
    ) throws(InvalidStoreSetting) -> Value? {
        guard let text = environment[name], !text.isEmpty else { return nil }
        guard let value = parse(text) else { throw InvalidStoreSetting(description: "\(name) must be \(expected), not \"\(text)\".") }
        return value
    }
}

/// A store setting whose value cannot be used.
public struct InvalidStoreSetting: Error, CustomStringConvertible {
    public let description: String
}

extension Database {
    public convenience init(settings: StoreSettings) throws(SQLiteError) {
        try self.init(path: settings.databasePath, busyTimeoutMilliseconds: settings.busyTimeoutMilliseconds, durability: settings.durability)
    }
}
