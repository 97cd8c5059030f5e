import Foundation
import LeadwireStore
import TestSupport
import Testing

/// `Database.write` and `prefetch` may travel later, with the next statement that needs an
/// answer (PostgreSQL, inside a transaction). What a caller sees must not change: a write's
/// failure still belongs to the savepoint it was made in, and a query sees exactly the writes
/// made before it. On the PostgreSQL pass these run against the server; on SQLite, at once.
@Suite struct HeldBackWriteTests {
    let database: Database

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appending(path: "held-back-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        database = try TestStore.open(TestStore.fresh(in: folder))
    }

    /// Inserts a lead whose id (a UUID, as PostgreSQL requires) ends in the hex digit `letter`,
    /// and whose Kommo id is that digit's value: the same letter twice breaks both keys.
    private func insertLead(_ letter: Character) throws {
        try database.write(
            "INSERT INTO kommo_leads (id, kommo_id, event_type) VALUES (?, ?, 'created')",
            [.text("00000000-0000-4000-8000-00000000000\(letter)"), .integer(Int64(letter.hexDigitValue ?? 0))])
    }

    /// The stored leads' letters, in order.
    private func storedIDs() throws -> [String] {
        try database.query("SELECT id FROM kommo_leads ORDER BY id").map { String($0[0].text?.last ?? "?") }
    }

    @Test func aWriteThatFailsFailsInsideItsSavepointAndTheRestIsKept() throws {
        var failure: StoreError?
        try database.transaction {
            try insertLead("a")
            do {
                try database.savepoint { try insertLead("a") }  // the same primary key
            } catch let error as StoreError {
                failure = error
            }
            try insertLead("b")
        }
        #expect(failure?.sql?.contains("INSERT INTO kommo_leads") == true)
        #expect(try storedIDs() == ["a", "b"])
    }

    @Test func aWriteThatFailsOutsideASavepointFailsTheTransactionAndKeepsNothing() throws {
        #expect(throws: StoreError.self) {
            try database.transaction {
                try insertLead("a")
                try insertLead("a")
            }
        }
        #expect(try storedIDs() == [])
        // The connection is usable afterwards.
        try database.transaction { try insertLead("c") }
        #expect(try storedIDs() == ["c"])
    }

    @Test func aPrefetchedQuerySeesTheWritesBeforeItAndNotThoseAfter() throws {
        let count = try database.transaction {
            try insertLead("a")
            let count = try database.prefetch("SELECT count(*) FROM kommo_leads") { $0.first?[0].integer ?? -1 }
            try insertLead("b")
            return try count.value()
        }
        #expect(count == 1)
        #expect(try storedIDs() == ["a", "b"])
    }

    @Test func aPrefetchBehindAFailedWriteThrowsTheWritesFailure() throws {
        let failure = #expect(throws: StoreError.self) {
            try database.transaction {
                try insertLead("a")
                try insertLead("a")
                _ = try database.prefetch("SELECT count(*) FROM kommo_leads") { $0.count }.value()
            }
        }
        #expect(failure?.sql?.contains("INSERT INTO kommo_leads") == true)
        #expect(try storedIDs() == [])
    }

    /// A savepoint whose end travels with COMMIT: on PostgreSQL its failing write is known only
    /// there, so the whole transaction fails, saying so; on SQLite the write fails in the body.
    /// Either way the failure reaches the caller and nothing of a failed transaction is kept.
    @Test func aSavepointEndedWithCommitReportsAWriteThatFailsThere() throws {
        var failedInBody = false
        let outcome = Result {
            try database.transaction {
                try insertLead("a")
                do {
                    try database.savepoint(endingWithCommit: true) { try insertLead("a") }  // the same primary key
                } catch is StoreError {
                    failedInBody = true
                }
                try insertLead("b")
            }
        }
        switch database.dialect {
        case .sqlite:
            #expect(failedInBody)
            #expect(try storedIDs() == ["a", "b"])
        case .postgres:
            #expect(!failedInBody)
            let late = try #require(outcome.failure as? SavepointFailedAtCommit)
            #expect(late.cause.sql?.contains("INSERT INTO kommo_leads") == true)
            #expect(try storedIDs() == [])
            // The connection is usable afterwards.
            try database.transaction { try insertLead("c") }
            #expect(try storedIDs() == ["c"])
        }
    }

    /// A failure after the savepoint's own writes (here, outside it) is the transaction's
    /// failure as always, not the savepoint's.
    @Test func aFailureAfterASavepointEndedWithCommitIsNotTheSavepoints() throws {
        let outcome = Result {
            try database.transaction {
                try database.savepoint(endingWithCommit: true) { try insertLead("a") }
                try insertLead("a")
            }
        }
        #expect(outcome.failure is StoreError)
        #expect(try storedIDs() == [])
    }

    /// The end of a savepoint costs a round trip of its own unless it travels with COMMIT.
    @Test(.enabled(if: TestStore.isPostgres, "round trips are PostgreSQL's"))
    func aSavepointEndedWithCommitCostsNoRoundTripOfItsOwn() throws {
        for (endingWithCommit, expected) in [(false, 2), (true, 1)] {
            let before = database.roundTrips
            try database.transaction {
                try database.savepoint(endingWithCommit: endingWithCommit) { try insertLead(endingWithCommit ? "a" : "b") }
                try insertLead(endingWithCommit ? "c" : "d")
            }
            #expect(database.roundTrips - before == expected, "ending with commit: \(endingWithCommit)")
        }
        #expect(try storedIDs() == ["a", "b", "c", "d"])
    }

    /// A transaction's held-back statements and the query that needs an answer share a round
    /// trip, and so do the writes after it and COMMIT.
    @Test(.enabled(if: TestStore.isPostgres, "round trips are PostgreSQL's"))
    func writesTravelWithTheNextQueryAndWithTheCommit() throws {
        let before = database.roundTrips
        try database.transaction {
            try insertLead("a")
            try insertLead("b")
            #expect(try database.queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(2))
            try insertLead("c")
        }
        #expect(database.roundTrips - before == 2)
        #expect(try storedIDs() == ["a", "b", "c"])
    }
}

extension Result {
    /// The error, when this is a failure.
    fileprivate var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
