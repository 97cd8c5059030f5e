public import Foundation
import Synchronization
import FunctionKit
public import LeadwireStore

/// The store a test runs on: its own SQLite file, or, when LEADWIRE_TEST_POSTGRES_URL names a
/// PostgreSQL server (`scripts/test` starts one for its second pass), its own schema there. A
/// schema is created per test and named in the connection's search_path, so tests running in
/// parallel never see each other's rows, and the functions under test connect exactly as
/// deployed, through LEADWIRE_DATABASE_URL.
public enum TestStore {
    public static let postgresServer = ProcessInfo.processInfo.environment["LEADWIRE_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    /// True on the PostgreSQL pass: for the few tests about SQLite itself (its file, its locks).
    public static var isPostgres: Bool { postgresServer != nil }

    /// The LEADWIRE_* settings that point a function at a fresh, empty store in `folder`.
    public static func fresh(in folder: URL) -> [String: String] {
        guard let server = postgresServer else {
            return ["LEADWIRE_DATABASE": folder.appending(path: "leadwire.sqlite3").path]
        }
        let schema = "t_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
        try! administration.withLock { connection in
            // One kept connection, not a psql process per test: a blocking wait for a child
            // process on every fresh store starved the test pool's two threads.
            if connection == nil { connection = try Database(postgresURL: server) }
            try connection!.execute("CREATE SCHEMA \(schema)")
        }
        let separator = server.contains("?") ? "&" : "?"
        // The schema also names the connections, so a test can find its own in pg_stat_activity.
        return ["LEADWIRE_DATABASE_URL": server + separator + "options=-csearch_path%3D\(schema)&application_name=\(schema)"]
    }

    /// The connection that creates the schemas (it also migrates the server's public schema,
    /// which no test uses).
    private static let administration = Mutex<Database?>(nil)

    /// Runs SQL with psql on the database `url` names (without Leadwire's migrations).
    public static func psql(_ url: String, _ sql: String) throws {
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = ["-q", "-X", "-v", "ON_ERROR_STOP=1", url, "-c", sql]
        let errors = Pipe()
        psql.standardError = errors
        try psql.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        psql.waitUntilExit()
        guard psql.terminationStatus == 0 else { throw PSQLFailure(message: message) }
    }

    struct PSQLFailure: Error, CustomStringConvertible {
        let message: String
        var description: String { "psql failed: \(message)" }
    }

    /// Opens the store those settings name, as a function would.
    public static func open(_ settings: [String: String]) throws -> Database {
        try Database(settings: StoreSettings(environment: Environment(settings)))
    }

    /// Opens a transaction that keeps every inbound webhook from committing until it is rolled
    /// back: SQLite's write lock; on PostgreSQL, the row that numbers log rows (every webhook
    /// writes a log row last), so a function waits its lock timeout and answers 503.
    public static func holdWriteLock(_ database: Database) throws {
        switch database.dialect {
        case .sqlite: try database.execute("BEGIN IMMEDIATE")
        case .postgres: try database.execute("BEGIN; LOCK TABLE log_sequence IN EXCLUSIVE MODE")
        }
    }

    /// Makes the store refuse every update of `table` with `message`, as a failing step of a
    /// function's processing would.
    public static func refuseUpdates(of table: String, saying message: String, in database: Database) throws {
        switch database.dialect {
        case .sqlite:
            try database.execute("CREATE TRIGGER \(table)_refused BEFORE UPDATE ON \(table) BEGIN SELECT RAISE(ABORT, '\(message)'); END")
        case .postgres:
            try database.execute(
                """
                CREATE FUNCTION \(table)_refused() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION '\(message)'; END $$ LANGUAGE plpgsql;
                CREATE TRIGGER \(table)_refused BEFORE UPDATE ON \(table) FOR EACH ROW EXECUTE FUNCTION \(table)_refused();
                """)
        }
    }
}

extension SQLValue {
    /// A `raw_body` column as text: SQLite keeps a UTF-8 body as text, PostgreSQL every body as
    /// bytes.
    public var bodyText: String? {
        switch self {
        case .text(let text): text
        case .blob(let bytes): String(validating: bytes, as: UTF8.self)
        default: nil
        }
    }
}
