import CPageCache
import Foundation
@testable import LeadwireStore
import Testing

/// With full durability a commit's log is synced after the write lock is released, not while
/// holding it (`SQLiteConnection.commit`). What a caller is told must not change: a transaction
/// that returned is on disk, and a write outside a transaction is still synced by SQLite itself.
/// "On disk" is read from the kernel: the log then has no page left that waits to be written.
/// A temporary folder in memory (tmpfs) has no disk to reach, so there the suite does not run.
@Suite(.enabled(if: !temporaryFolderIsInMemory(), "the temporary folder is on tmpfs"))
struct DurableCommitTests {
    let path = FileManager.default.temporaryDirectory.appending(path: "durable-\(UUID().uuidString).sqlite3").path

    func unwrittenLogPages() throws -> Int64 {
        let pages = page_cache_unwritten_pages(path + "-wal")
        try #require(pages >= 0, "Linux's cachestat failed (errno \(-pages))")
        return pages
    }

    /// Pages of the log a transaction writes: 20 rows of 3,000 bytes, a page each.
    func writeTwentyPages(_ database: Database) throws {
        try database.transaction {
            for _ in 0..<20 { try database.run("INSERT INTO pages VALUES (randomblob(3000))") }
        }
    }

    func removeFiles() { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }

    @Test func aTransactionThatReturnedIsOnDisk() throws {
        defer { removeFiles() }
        let database = try Database(path: path, durability: .full)
        try database.execute("CREATE TABLE pages (body BLOB)")
        for _ in 0..<5 {
            try writeTwentyPages(database)
            #expect(try unwrittenLogPages() == 0)
        }
        // A FastCGI process's commit group: several requests' transactions, one commit.
        database.beginGroup()
        for _ in 0..<3 { try writeTwentyPages(database) }
        try database.commitGroup()
        #expect(try unwrittenLogPages() == 0)
    }

    /// The check above can see unwritten pages: with `normal` the same transaction leaves them
    /// in memory (the kernel writes them back after about 30 seconds).
    @Test func withNormalDurabilityTheSameTransactionLeavesPagesInMemory() throws {
        defer { removeFiles() }
        let database = try Database(path: path, durability: .normal)
        try database.execute("CREATE TABLE pages (body BLOB)")
        try writeTwentyPages(database)
        #expect(try unwrittenLogPages() >= 20)
    }

    /// The transaction runs with SQLite's `NORMAL`; the connection must be back at `FULL`
    /// afterwards, whether the transaction committed or not, for the writes outside one.
    @Test func writesOutsideATransactionAreStillSyncedBySQLite() throws {
        defer { removeFiles() }
        let database = try Database(path: path, durability: .full)
        try database.execute("CREATE TABLE pages (body BLOB)")
        try writeTwentyPages(database)
        #expect(try database.queryRow("PRAGMA synchronous")?[0] == .integer(2))
        struct Failure: Error {}
        #expect(throws: Failure.self) {
            try database.transaction {
                try database.run("INSERT INTO pages VALUES (randomblob(3000))")
                throw Failure()
            }
        }
        #expect(try database.queryRow("PRAGMA synchronous")?[0] == .integer(2))
        try database.run("INSERT INTO pages VALUES (randomblob(3000))")
        #expect(try unwrittenLogPages() == 0)
    }
}

private func temporaryFolderIsInMemory() -> Bool {
    page_cache_is_memory_only(FileManager.default.temporaryDirectory.path) != 0
}
