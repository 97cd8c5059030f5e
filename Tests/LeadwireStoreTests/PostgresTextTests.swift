@testable import LeadwireStore
import Testing

/// What the PostgreSQL backend does to text on the way in and out, without a server.
@Suite struct PostgresTextTests {
    @Test(arguments: [
        ("SELECT ? , ?", "SELECT $1 , $2"),
        ("VALUES (?1, ?2) ON CONFLICT DO UPDATE SET a = ?2", "VALUES ($1, $2) ON CONFLICT DO UPDATE SET a = $2"),
        ("SELECT '?', \"a?\", ? -- why?\n, ?", "SELECT '?', \"a?\", $1 -- why?\n, $2"),
        ("SELECT 'it''s ?', ?", "SELECT 'it''s ?', $1"),
        ("SELECT 1", "SELECT 1"),
    ])
    func placeholdersAreNumberedOutsideQuotesAndComments(sqlite: String, postgres: String) {
        #expect(Placeholders.postgres(sqlite) == postgres)
    }

    @Test(arguments: [
        ("2026-11-22 19:58:20.1234+00", "2026-11-22T19:58:20.123Z"),
        ("2026-11-22 19:58:20.5+00", "2026-11-22T19:58:20.500Z"),
        ("2026-11-22 19:58:20+00", "2026-11-22T19:58:20.000Z"),
        ("2026-11-22 19:58:20.123", "2026-11-22T19:58:20.123Z"),
        ("infinity", "infinity"),
    ])
    func timesReadBackInTheStoresOneForm(postgres: String, store: String) {
        #expect(PostgresType.storeTime(postgres) == store)
        #expect(PostgresType.time.decode(postgres, length: Int32(postgres.utf8.count)) == .text(store))
    }

    @Test func valuesDecodeAsSQLiteWouldGiveThem() {
        func decode(_ type: PostgresType, _ text: String) -> SQLValue { type.decode(text, length: Int32(text.utf8.count)) }
        #expect(decode(.boolean, "t") == .integer(1) && decode(.boolean, "f") == .integer(0))
        #expect(decode(.numeric, "1500") == .integer(1500) && decode(.numeric, "1500.50") == .real(1500.5))
        #expect(decode(.bytes, "\\x00ff41") == .blob([0, 255, 65]))
        #expect(decode(.text, "{\"a\": 1}") == .text("{\"a\": 1}"))
    }

    @Test func theNULCharacterNeverReachesPostgreSQL() {
        #expect(PostgresConnection.withoutNUL("a\u{0}b") == "a\u{FFFD}b")
        #expect(PostgresConnection.withoutNUL(#"{"name":"a\u0000b"}"#) == #"{"name":"a\uFFFDb"}"#)
        #expect(PostgresConnection.withoutNUL("plain") == "plain")
    }

    @Test func lockTimeoutsAndSerializationFailuresAreBusy() {
        #expect(StoreError(sqlState: "55P03", message: "lock timeout", sql: nil).isBusy)
        #expect(!StoreError(sqlState: "23505", message: "unique", sql: nil).isBusy)
        #expect(StoreError(code: 5, message: "busy", sql: nil).isBusy)
    }
}
