import Dispatch
import Foundation
@testable import LeadwireStore
import Synchronization
import Testing

/// A process that answers many requests copies its write-ahead log on a thread of its own
/// (`LogCheckpointer`); the log must still start over while writers never stop.
@Suite struct WriteAheadLogTests {
    let path = FileManager.default.temporaryDirectory.appending(path: "wal-\(UUID().uuidString).sqlite3").path
    /// A frame: its 24-byte header and a 4 KiB page.
    let frameBytes = 24 + 4096

    /// Two writers that never pause, as a burst on two FastCGI processes. A copy made while
    /// they write never catches up, so without the brief RESTART the log grows by every commit
    /// (here to about 24,000 frames, 98 MB); with it, the file stays near the length at which
    /// it is started over. Writers this fast (about 40,000 frames a second) get a few thousand
    /// frames past that length before the thread's turn comes (4,800 to 8,700 in twelve runs).
    @Test func theLogStartsOverWhileWritersNeverPause() throws {
        try Database(path: path).execute("CREATE TABLE payloads (body BLOB)")
        let framesToWrite = 6 * Int(LogCheckpointer.restartFrames)
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { _ in
            do {
                let database = try Database(path: path, durability: .normal)
                // About four frames a commit: a 10 KB body spans three overflow pages.
                for _ in 0..<(framesToWrite / 4 / 2) {
                    try database.execute("INSERT INTO payloads VALUES (randomblob(10000))")
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let logBytes = try #require(FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int)
        let bound = 3 * Int(LogCheckpointer.restartFrames)
        #expect(logBytes <= bound * frameBytes, "the write-ahead log grew to \(logBytes / frameBytes) frames")
        #expect(try Database(path: path).queryRow("SELECT count(*) FROM payloads")?[0] == .integer(Int64(framesToWrite / 4)))
    }

    /// A reader that stays (an export of a large table) holds back every frame written after
    /// it began, so the log grows past its usual length. Once the reader is gone and the log
    /// starts over, its file shrinks back to `keptLogBytes` instead of keeping the space.
    @Test func aLogThatAReaderLengthenedShrinksWhenItStartsOver() throws {
        let writer = try Database(path: path, durability: .normal)
        try writer.execute("CREATE TABLE payloads (body BLOB)")
        let reader = try Database(path: path)
        try reader.execute("BEGIN")
        _ = try reader.query("SELECT count(*) FROM payloads")
        func logBytes() throws -> Int { try FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? Int ?? 0 }
        while try logBytes() < LogCheckpointer.keptLogBytes * 3 / 2 {
            try writer.execute("INSERT INTO payloads VALUES (randomblob(10000))")
        }
        try reader.execute("COMMIT")

        // The writes go on; the log is copied whole, started over, and its file cut back.
        var commits = 0
        while try logBytes() > LogCheckpointer.keptLogBytes, commits < 4 * Int(LogCheckpointer.restartFrames) {
            try writer.execute("INSERT INTO payloads VALUES (randomblob(10000))")
            commits += 1
        }
        let kept = try logBytes()
        #expect(kept <= LogCheckpointer.keptLogBytes, "the log file kept \(kept / frameBytes) frames")
    }
}
