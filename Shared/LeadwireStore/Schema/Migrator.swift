/// One named schema step. Applied once, in order, never edited after release: a change to the
/// schema is a new migration.
struct Migration: Sendable {
    let name: String
    let sql: String
}

/// Brings a database to the latest schema version, safely when many processes start at once.
///
/// The fast path, already current, is one read of the version: SQLite's `PRAGMA user_version`,
/// PostgreSQL's `leadwire_schema` table. Otherwise the migrator takes the store's migration
/// lock (SQLite's write lock, `BEGIN IMMEDIATE`; a PostgreSQL advisory lock), re-reads the
/// version (a process that got the lock first may have done the work) and applies what is
/// missing in the same transaction, so a crash leaves the old schema, never half a new one
/// (PostgreSQL's DDL is transactional too).
///
/// A database at a newer version than this build knows is left alone: during a rolling deploy
/// old and new builds share one database, and migrations only ever add.
struct Migrator {
    let migrations: [Migration]

    init(_ migrations: [Migration]) { self.migrations = migrations }

    var latestVersion: Int64 { Int64(migrations.count) }

    func apply(to database: Database) throws(StoreError) {
        guard try currentVersion(database) < latestVersion else { return }
        do {
            try database.transaction {
                if database.dialect == .postgres {
                    // Another process may be migrating: wait for it however long that takes.
                    try database.execute("SET LOCAL lock_timeout = 0")
                    try database.serialize(on: "leadwire_schema")
                    try database.execute("CREATE TABLE IF NOT EXISTS leadwire_schema (version integer NOT NULL)")
                }
                let version = try currentVersion(database)
                guard version < latestVersion else { return }
                for migration in migrations[Int(version)...] {
                    do {
                        try database.execute(migration.sql)
                    } catch let error as StoreError {
                        throw error.prefixed("migration \(migration.name)")
                    }
                }
                try record(latestVersion, in: database)
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(code: 1, message: String(describing: error), sql: nil)
        }
    }

    func currentVersion(_ database: Database) throws(StoreError) -> Int64 {
        switch database.dialect {
        case .sqlite:
            return try database.queryRow("PRAGMA user_version")?[0].integer ?? 0
        case .postgres:
            do {
                return try database.queryRow("SELECT coalesce(max(version), 0) FROM leadwire_schema")?[0].integer ?? 0
            } catch where error.sqlState == "42P01" {
                return 0  // before the first migration there is no table to read
            }
        }
    }

    private func record(_ version: Int64, in database: Database) throws(StoreError) {
        switch database.dialect {
        case .sqlite:
            try database.execute("PRAGMA user_version = \(version)")
        case .postgres:
            try database.execute("DELETE FROM leadwire_schema")
            try database.run("INSERT INTO leadwire_schema (version) VALUES (?)", [.integer(version)])
        }
    }
}
