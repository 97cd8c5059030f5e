/// Where the store lives and how long a writer waits for the lock; both from the environment.
public struct StoreSettings: Sendable {
    /// LEADWIRE_DATABASE: path of the SQLite file, created on first use.
    public var databasePath: String
    /// LEADWIRE_BUSY_TIMEOUT_MS: how long a write waits for other writers before giving up.
    public var busyTimeoutMilliseconds: Int32

    public static let defaultDatabasePath = "leadwire.sqlite3"
    public static let defaultBusyTimeoutMilliseconds: Int32 = 5000

    public init(databasePath: String = defaultDatabasePath, busyTimeoutMilliseconds: Int32 = defaultBusyTimeoutMilliseconds) {
        self.databasePath = databasePath
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
    }

    public init(environment: [String: String]) {
        self.init(
            databasePath: environment["LEADWIRE_DATABASE"].flatMap { $0.isEmpty ? nil : $0 } ?? Self.defaultDatabasePath,
            busyTimeoutMilliseconds: environment["LEADWIRE_BUSY_TIMEOUT_MS"].flatMap { Int32($0) }.flatMap { $0 > 0 ? $0 : nil }
                ?? Self.defaultBusyTimeoutMilliseconds)
    }
}

extension Database {
    public convenience init(settings: StoreSettings) throws(SQLiteError) {
        try self.init(path: settings.databasePath, busyTimeoutMilliseconds: settings.busyTimeoutMilliseconds)
    }
}
