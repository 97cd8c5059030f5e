import Foundation
import LeadwireStore
import Synchronization
import TestSupport
import Testing

/// `runtime backup` while webhooks keep arriving, and a restore from its copy.
@Suite(.disabled(if: TestStore.isPostgres, "runtime backup copies the SQLite file; PostgreSQL is backed up with pg_dump"))
struct BackupTests {
    let scratch = Scratch("backup")

    @Test func aBackupUnderWriteLoadHoldsEveryEventAcknowledgedBeforeItAndRestores() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let port = Int(base.split(separator: ":").last!)!
        // Each writer posts leads until told to stop, noting every id answered 200, and when.
        let acknowledged = Mutex<[(id: Int, at: ContinuousClock.Instant)]>([])
        let stop = Atomic<Bool>(false)
        let backupPath = scratch.folder.appending(path: "backup.sqlite3").path
        let backupStarted = Mutex<ContinuousClock.Instant?>(nil)

        async let writers: Void = onThreads(4) { writer in
            guard let connection = try? RawHTTPConnection(port: port) else { return }
            var id = writer * 1_000_000
            while !stop.load(ordering: .relaxed) {
                id += 1
                let form = kommoLeadForm(id: id, name: "Lead \(id)")
                guard let answer = try? connection.exchange("POST", "/kommo-webhook", headers: ["Content-Type": "application/x-www-form-urlencoded"], body: form)
                else { return }
                if answer.status == 200 { acknowledged.withLock { $0.append((id, .now)) } }
            }
        }
        // Back up once the writers are well under way (however busy the machine is).
        for _ in 0..<300 where acknowledged.withLock({ $0.count }) < 100 { try await Task.sleep(for: .milliseconds(50)) }
        backupStarted.withLock { $0 = .now }
        let (status, output) = try await onNewThread {
            try ServerProcess.runToEnd(
                try Products.url("runtime").path, ["backup", backupPath], environment: ["PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL])
        }
        // Writes go on after the backup too: twenty more acknowledged, then stop.
        let afterBackup = acknowledged.withLock { $0.count }
        for _ in 0..<300 where acknowledged.withLock({ $0.count }) < afterBackup + 20 { try await Task.sleep(for: .milliseconds(20)) }
        stop.store(true, ordering: .relaxed)
        await writers
        #expect(status == 0, "\(output)")
        #expect(output.contains("integrity ok"))

        // Restore: the copy replaces a database file, and a runtime serves from it.
        let restored = scratch.folder.appending(path: "restored.sqlite3").path
        try FileManager.default.copyItem(atPath: backupPath, toPath: restored)
        let database = try Database(path: restored)
        let stored = Set(try database.query("SELECT kommo_id FROM kommo_leads").compactMap { $0[0].integer.map(Int.init) })
        let started = try #require(backupStarted.withLock { $0 })
        let before = acknowledged.withLock { $0 }.filter { $0.at < started }.map(\.id)
        #expect(before.count >= 100, "the writers were writing before the backup")
        #expect(before.allSatisfy(stored.contains), "\(before.filter { !stored.contains($0) }.count) acknowledged events missing from the backup")
        print("backup under load: \(before.count) events acknowledged before it began, \(stored.count) in the copy, \(acknowledged.withLock { $0.count }) in all")
        #expect(try database.queryRow("PRAGMA integrity_check")?[0] == "ok")
        _ = server
    }
}
