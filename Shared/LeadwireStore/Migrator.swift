/// One named schema step. Applied once, in order, never edited after release: a change to the
/// schema is a new migration.
struct Migration: Sendable {
    let name: String
    let sql: String
}

/// Brings a database to the latest schema version, safely when many processes start at once.
///
/// The version lives in `PRAGMA user_version`. The fast path, already current, is one read.
/// Otherwise the migrator takes the write lock (`BEGIN IMMEDIATE`), re-reads the version (a
/// process that got the lock first may have done the work) and applies what is missing in the
/// same transaction, so a crash leaves the old schema, never half a new one.
///
/// A database at a newer version than this build knows is left alone: during a rolling deploy
/// old and new builds share one file, and migrations only ever add.
struct Migrator {
    let migrations: [Migration]

    init(_ migrations: [Migration]) { self.migrations = migrations }

    var latestVersion: Int64 { Int64(migrations.count) }

    func apply(to database: Database) throws(SQLiteError) {
        guard try currentVersion(database) < latestVersion else { return }
        do {
            try database.transaction {
                let version = try currentVersion(database)
                guard version < latestVersion else { return }
                for migration in migrations[Int(version)...] {
                    do {
                        try database.execute(migration.sql)
                    } catch let error as SQLiteError {
                        throw SQLiteError(code: error.code, message: "migration \(migration.name): \(error.message)", sql: nil)
                    }
                }
                try database.execute("PRAGMA user_version = \(latestVersion)")
            }
        } catch let error as SQLiteError {
            throw error
        } catch {
            throw SQLiteError(code: 1, message: String(describing: error), sql: nil)
        }
    }

    func currentVersion(_ database: Database) throws(SQLiteError) -> Int64 {
        try database.queryRow("PRAGMA user_version")?[0].integer ?? 0
    }
}
