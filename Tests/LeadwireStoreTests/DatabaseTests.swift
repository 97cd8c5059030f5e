import Foundation
import FunctionKit
@testable import LeadwireStore
import Testing

@Suite struct DatabaseTests {
    let path = FileManager.default.temporaryDirectory.appending(path: "store-\(UUID().uuidString).sqlite3").path

    @Test func openingCreatesEverySeedTableInWALMode() throws {
        let database = try Database(path: path)
        let tables = try database.query("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").compactMap { $0[0].text }
        #expect(tables.contains("kommo_leads"))
        #expect(tables.contains("kommo_webhook_logs"))
        #expect(try database.queryRow("PRAGMA journal_mode")?[0] == "wal")
        #expect(try database.queryRow("PRAGMA user_version")?[0] == .integer(Int64(Schema.sqlite.count)))
    }

    @Test func commitsAreSyncedUnlessTheOperatorChoosesNormal() throws {
        // SQLite's numbers: 2 is FULL, 1 is NORMAL.
        #expect(try Database(settings: StoreSettings(environment: Environment(["LEADWIRE_DATABASE": path]))).queryRow("PRAGMA synchronous")?[0] == .integer(2))
        let normal = try StoreSettings(environment: Environment(["LEADWIRE_DATABASE": path, "LEADWIRE_SQLITE_SYNCHRONOUS": "NORMAL"]))
        #expect(try Database(settings: normal).queryRow("PRAGMA synchronous")?[0] == .integer(1))
    }

    @Test(arguments: [("LEADWIRE_SQLITE_SYNCHRONOUS", "off"), ("LEADWIRE_BUSY_TIMEOUT_MS", "lots"), ("LEADWIRE_BUSY_TIMEOUT_MS", "-5")])
    func anUnusableStoreSettingIsNamedNotIgnored(name: String, value: String) {
        #expect {
            try StoreSettings(environment: Environment([name: value]))
        } throws: { error in
            "\(error)".contains(name) && "\(error)".contains(value)
        }
    }

    @Test func reopeningAppliesNothingTwice() throws {
        _ = try Database(path: path)
        let again = try Database(path: path)
        #expect(try again.queryRow("PRAGMA user_version")?[0] == .integer(Int64(Schema.sqlite.count)))
    }

    @Test func migrationsApplyInOrderAndOnlyTheMissingOnes() throws {
        let first = [Migration(name: "a", sql: "CREATE TABLE a (x)")]
        _ = try Database(path: path, busyTimeoutMilliseconds: 1000, migrations: first)
        let second = first + [Migration(name: "b", sql: "CREATE TABLE b (y); INSERT INTO a VALUES (1)")]
        let database = try Database(path: path, busyTimeoutMilliseconds: 1000, migrations: second)
        #expect(try database.queryRow("SELECT count(*) FROM a")?[0] == .integer(1))
        #expect(try database.queryRow("PRAGMA user_version")?[0] == .integer(2))
    }

    @Test func aFailingMigrationLeavesTheOldSchemaAndNamesItself() throws {
        let good = [Migration(name: "001_good", sql: "CREATE TABLE a (x)")]
        _ = try Database(path: path, busyTimeoutMilliseconds: 1000, migrations: good)
        let broken = good + [Migration(name: "002_broken", sql: "CREATE TABLE b (y); CREATE TABLE a (x)")]
        #expect {
            _ = try Database(path: path, busyTimeoutMilliseconds: 1000, migrations: broken)
        } throws: { error in
            String(describing: error).contains("002_broken")
        }
        let database = try Database(path: path, busyTimeoutMilliseconds: 1000, migrations: good)
        #expect(try database.queryRow("SELECT count(*) FROM sqlite_master WHERE name = 'b'")?[0] == .integer(0))
        #expect(try database.queryRow("PRAGMA user_version")?[0] == .integer(1))
    }

    @Test func parametersAreBoundNeverSpliced() throws {
        let database = try Database(path: path)
        let hostile = "x'); DROP TABLE kommo_leads; --"
        try database.run("INSERT INTO kommo_leads (id, kommo_id, name, event_type) VALUES (?, ?, ?, ?)", ["1", 5, .text(hostile), "created"])
        #expect(try database.queryRow("SELECT name FROM kommo_leads")?[0] == .text(hostile))
    }

    @Test func errorsNameTheStatementThatFailed() throws {
        let database = try Database(path: path)
        #expect {
            try database.run("INSERT INTO no_such_table VALUES (?)", [1])
        } throws: { error in
            let error = error as? StoreError
            return error?.sql == "INSERT INTO no_such_table VALUES (?)" && error?.message.contains("no_such_table") == true
        }
        #expect(throws: StoreError.self) { try database.run("SELECT ?", [1, 2]) }
    }

    @Test func aFailedTransactionLeavesNoTrace() throws {
        let database = try Database(path: path)
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try database.transaction {
                try database.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES ('1', 1, 'created')")
                throw Abort()
            }
        }
        #expect(try database.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(0))
    }

    @Test func aFailedSavepointUndoesOnlyItsOwnWork() throws {
        let database = try Database(path: path)
        struct Abort: Error {}
        try database.transaction {
            try database.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES ('kept', 1, 'created')")
            _ = try? database.savepoint {
                try database.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES ('undone', 2, 'created')")
                throw Abort()
            }
        }
        #expect(try database.query("SELECT id FROM kommo_leads").map { $0[0] } == ["kept"])
    }

    /// Group commit: the write transactions of a group become savepoints of one transaction
    /// that only `commitGroup` commits. A member that fails undoes its own writes alone; until
    /// the commit, no other connection sees any of them.
    @Test func aGroupCommitsItsMembersTogetherAndAFailedMemberAlone() throws {
        let database = try Database(path: path)
        let other = try Database(path: path)
        struct Abort: Error {}
        func insert(_ id: String) throws {
            try database.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES (?, ?, 'created')", [.text(id), .integer(Int64(id.count))])
        }
        database.beginGroup()
        try database.transaction { try insert("a") }
        #expect(throws: Abort.self) {
            try database.transaction {
                try insert("bb")
                throw Abort()
            }
        }
        try database.transaction { try insert("ccc") }
        #expect(try other.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(0), "nothing is visible before the group commits")
        try database.commitGroup()
        #expect(try other.query("SELECT id FROM kommo_leads ORDER BY id").map { $0[0] } == ["a", "ccc"])
        // After the group, each transaction commits on its own again.
        try database.transaction { try insert("dddd") }
        #expect(try other.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(3))
    }

    @Test func aGroupThatOnlyReadsTakesNoLockAndCommitsNothing() throws {
        let database = try Database(path: path)
        let other = try Database(path: path)
        database.beginGroup()
        _ = try database.queryRow("SELECT count(*) FROM kommo_leads")
        _ = try other.transaction { try other.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES ('x', 1, 'created')") }
        try database.commitGroup()
        #expect(try database.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(1))
    }

    /// A failure that ends the whole transaction (here a ROLLBACK the member runs itself) takes
    /// the group's earlier writes with it: the group fails at its commit, and the members after
    /// it are refused instead of writing outside the group.
    @Test func aGroupWhoseTransactionWasLostFailsAtItsCommit() throws {
        let database = try Database(path: path)
        database.beginGroup()
        _ = try database.transaction { try database.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES ('a', 1, 'created')") }
        try database.execute("ROLLBACK")
        #expect(throws: GroupTransactionLost.self) {
            try database.transaction { try database.run("INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES ('b', 2, 'created')") }
        }
        #expect(throws: GroupTransactionLost.self) { try database.commitGroup() }
        #expect(try database.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(0))
    }

    @Test func uuidsAreVersion7StartWithTheirTimeAndAreDistinct() {
        let time = Timestamp(millisecondsSince1970: 1_764_806_400_123)  // 0x019ae6a8987b
        let ids = (0..<100).map { _ in Identifiers.uuid(at: time) }
        #expect(Set(ids).count == 100)
        for id in ids {
            let characters = Array(id)
            #expect(id.hasPrefix("019ae6a8-987b-7"))
            #expect(characters.count == 36 && [8, 13, 18, 23].allSatisfy { characters[$0] == "-" })
            #expect("89ab".contains(characters[19]))  // the RFC 9562 variant
        }
        // A later time sorts later, so new rows go at the end of the primary key's index.
        #expect(Identifiers.uuid(at: Timestamp(millisecondsSince1970: time.millisecondsSince1970 + 1)) > ids.max()!)
    }

    @Test func messageIdsStartWithTheirTimeAndEndRandom() {
        let time = Timestamp(millisecondsSince1970: 1_764_806_400_123)
        let ids = (0..<100).map { _ in Identifiers.timeOrdered("msg_", at: time) }
        #expect(Set(ids).count == 100)
        #expect(ids.allSatisfy { $0.hasPrefix("msg_019ae6a8987b") && $0.count == 36 && $0.dropFirst(4).allSatisfy(\.isHexDigit) })
        #expect(Identifiers.timeOrdered("msg_", at: Timestamp(millisecondsSince1970: time.millisecondsSince1970 + 1)) > ids.max()!)
    }
}
