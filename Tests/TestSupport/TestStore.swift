public import Foundation
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
        let psql = Process()
        psql.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        psql.arguments = ["-q", "-v", "ON_ERROR_STOP=1", server, "-c", "CREATE SCHEMA \(schema)"]
        try! psql.run()
        psql.waitUntilExit()
        precondition(psql.terminationStatus == 0, "cannot create schema \(schema) on \(server)")
        let separator = server.contains("?") ? "&" : "?"
        return ["LEADWIRE_DATABASE_URL": server + separator + "options=-csearch_path%3D" + schema]
    }

    /// Opens the store those settings name, as a function would.
    public static func open(_ settings: [String: String]) throws -> Database {
        try Database(settings: StoreSettings(environment: Environment(settings)))
    }
}
