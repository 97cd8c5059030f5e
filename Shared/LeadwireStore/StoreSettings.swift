public import LeadwireCore

/// Where the store lives, how long a writer waits for the lock, and when a commit counts as
/// durable; all from the environment.
public struct StoreSettings: Sendable {
    /// LEADWIRE_DATABASE_URL: a PostgreSQL database (`postgres://user:pass@host:5432/db`, any
    /// libpq connection URI or key=value string) used instead of the SQLite file when set.
    public var postgresURL: String?
    /// LEADWIRE_DATABASE: path of the SQLite file, created on first use.
    public var databasePath: String
    /// LEADWIRE_BUSY_TIMEOUT_MS: how long a write waits for other writers (SQLite) or for a
    /// row or advisory lock (PostgreSQL's lock_timeout) before giving up.
    public var busyTimeoutMilliseconds: Int32
    /// LEADWIRE_SQLITE_SYNCHRONOUS: `full` or `normal`.
    public var durability: Durability
    /// Whether the process opens the store for one request and exits (a CGI process), which
    /// decides how SQLite's write-ahead log is kept short (see `SQLiteConnection`).
    public var lifetime: ProcessLifetime = .manyRequests

    public static let defaultDatabasePath = "leadwire.sqlite3"
    public static let defaultBusyTimeoutMilliseconds: Int32 = 5000

    /// When SQLite syncs a commit to disk (its `synchronous` pragma, in WAL mode).
    public enum Durability: String, Sendable {
        /// Every commit is synced before the function answers: an acknowledged event survives a
        /// power cut. The default. The sync happens once the write lock is released, so other
        /// processes write meanwhile, and may read a commit a moment before it is on disk.
        case full
        /// Commits are synced at checkpoints only: an acknowledged event survives a crash of any
        /// process, but the last commits can be lost to a power cut or a kernel panic. Faster
        /// under concurrent writers, since a commit no longer waits for the disk.
        case normal
    }

    /// How long the process that opens the store keeps it.
    public enum ProcessLifetime: Sendable {
        /// A FastCGI process, the worker, the local runtime: the connection serves many requests.
        case manyRequests
        /// A CGI process: one request, then exit.
        case oneRequest
    }

    public init(
        postgresURL: String? = nil, databasePath: String = defaultDatabasePath, busyTimeoutMilliseconds: Int32 = defaultBusyTimeoutMilliseconds,
        durability: Durability = .full
    ) {
        self.postgresURL = postgresURL
        self.databasePath = databasePath
        self.busyTimeoutMilliseconds = busyTimeoutMilliseconds
        self.durability = durability
    }

    /// Reads the settings the way every setting is read (`Environment`): a value that is set but
    /// unusable is an error that names it, never silently the default.
    public init(environment: Environment) throws(ConfigurationError) {
        let durabilityText = environment["LEADWIRE_SQLITE_SYNCHRONOUS"]
        guard let durability = durabilityText.map({ Durability(rawValue: $0.lowercased()) }) ?? .full else {
            throw ConfigurationError(message: "LEADWIRE_SQLITE_SYNCHRONOUS must be full or normal, got \"\(durabilityText ?? "")\".")
        }
        self.init(
            postgresURL: environment["LEADWIRE_DATABASE_URL"],
            databasePath: Self.databasePath(in: environment),
            busyTimeoutMilliseconds: Int32(clamping: try environment.integer("LEADWIRE_BUSY_TIMEOUT_MS", default: Int(Self.defaultBusyTimeoutMilliseconds))),
            durability: durability)
    }

    /// LEADWIRE_DATABASE, or the default when it is unset or empty.
    public static func databasePath(in environment: Environment) -> String {
        environment["LEADWIRE_DATABASE"] ?? defaultDatabasePath
    }
}

extension Database {
    /// The PostgreSQL database when LEADWIRE_DATABASE_URL is set, the SQLite file otherwise.
    public convenience init(settings: StoreSettings) throws(StoreError) {
        if let url = settings.postgresURL {
            try self.init(postgresURL: url, lockTimeoutMilliseconds: settings.busyTimeoutMilliseconds)
        } else {
            try self.init(
                path: settings.databasePath, busyTimeoutMilliseconds: settings.busyTimeoutMilliseconds, durability: settings.durability,
                lifetime: settings.lifetime, migrations: Schema.sqlite)
        }
    }
}
