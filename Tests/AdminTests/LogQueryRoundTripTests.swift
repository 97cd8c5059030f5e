import FunctionKit
import LeadwireStore
import Testing
import TestSupport
@testable import WebhookLogs

/// A listing's filters, as read, written back as a query (what `next` carries) read as the
/// same filters: the same conditions, the same bound values, the same page size. The queries
/// come from a fixed seed, each filter in the spellings a client may use (`lead_id=007`, a time
/// with an offset, text with `&`, `+`, `%` and non-ASCII letters), in any order.
@Suite struct LogQueryRoundTripTests {
    static var queries: [String] {
        var random = SplitMix(seed: 0x10C5)
        let values: [(name: String, spellings: [String])] = [
            ("source", ["kommo", "amocrm", "knowlarity"]), ("status", ["success", "error", "partial"]),
            ("routing", ["referral", "traffic", "both", "unknown"]), ("lead_id", ["7", "007", "-3", "%2B5", "9223372036854775807"]),
            ("since", ["2025-12-06", "2025-12-06T10:00:00Z", "2025-12-06T15:30:00.5%2B05:30", "2025-12-06T10:00:00.123456Z"]),
            ("until", ["2026-01-01", "2025-12-06T23:59:59.999Z", "2025-12-06T10:00:00-03:00"]),
            ("q", ["needle", "a%26b%3Dc", "x+y", "100%25", "%C3%BCber", "%2Bnew"]), ("limit", ["1", "50", "1000", "007"]),
            ("cursor", ["1", "1234"]),
        ]
        return (0..<500).map { _ in random.query(from: values) }
    }

    @Test func filtersReadBackAsTheSameListing() throws {
        for dialect in [SQLDialect.sqlite, .postgres] {
            for text in Self.queries {
                let first = try LogQuery(QueryParameters(queryString: text), dialect: dialect)
                let written = String(first.nextPage(after: 42).dropFirst())
                let again = try LogQuery(QueryParameters(queryString: written), dialect: dialect)
                #expect(again.conditions == first.conditions.filter { !$0.hasPrefix("log_seq") } + ["log_seq < ?"], "\(text) → \(written)")
                #expect(again.parameters == first.parameters.dropLast(text.contains("cursor=") ? 1 : 0) + [.integer(42)], "\(text) → \(written)")
                #expect(again.limit == first.limit, "\(text) → \(written)")
                #expect(again.filters.map { "\($0.name)=\($0.value)" } == first.filters.map { "\($0.name)=\($0.value)" }, "\(text) → \(written)")
            }
        }
    }
}
