import Foundation
import LeadwireStore
import Testing

/// Every webhook is processed inside savepoints, and SQLite keeps the old content of each page
/// a savepoint changes, so that it can be undone alone. That record must stay in memory for a
/// request's worth of pages: written to a temporary file, it doubled the writes of every commit.
@Suite struct SavepointRecordTests {
    let path = FileManager.default.temporaryDirectory.appending(path: "savepoint-\(UUID().uuidString).sqlite3").path

    /// SQLite names its temporary files `etilqs_…` and unlinks them at once; an open one still
    /// shows among the process's descriptors.
    static func openTemporaryFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap { descriptor in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(descriptor)")
            return target.flatMap { $0.contains("/etilqs_") ? $0 : nil }
        }
    }

    @Test func aSavepointThatChangesHundredsOfKilobytesWritesNoTemporaryFile() throws {
        let database = try Database(path: path)
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        // 100 rows of 3,000 bytes: a page each, 400 KiB in all (SQLite's own default keeps 64 KiB in memory).
        try database.execute("CREATE TABLE pages (body BLOB)")
        try database.execute("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100) INSERT INTO pages SELECT randomblob(3000) FROM n")
        let temporaryFiles = try database.transaction {
            try database.savepoint(named: "request") {
                try database.execute("UPDATE pages SET body = randomblob(3000)")
                return try Self.openTemporaryFiles()
            }
        }
        #expect(temporaryFiles.isEmpty, "the savepoint's record went to \(temporaryFiles)")
    }
}
