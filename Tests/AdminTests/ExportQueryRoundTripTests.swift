import FunctionKit
import LeadwireStore
import Testing
import TestSupport
@testable import Export

/// An export's query as it was understood, read again, is the same export: the same columns,
/// conditions, bound values, order and limit. The queries come from a fixed seed, with the
/// spellings a client may use (`sortBy=createdAt`, `sortOrder=DESC`, `fields` with spaces, a
/// time with an offset, text with `&`, `+`, `%` and non-ASCII letters), in any order.
@Suite struct ExportQueryRoundTripTests {
    static var queries: [String] {
        var random = SplitMix(seed: 0xE4_9027)
        let values: [(name: String, spellings: [String])] = [
            ("fields", ["id", "id,phone_number_normalized", "phone_number_normalized,%20id", "full_name,created_at,raw_payload"]),
            ("sortBy", ["id", "createdAt", "updated_at", "full_name"]), ("sortOrder", ["asc", "DESC", "Asc"]),
            ("createdAfter", ["2025-12-06", "2025-12-06T15:30:00.5%2B05:30"]), ("createdBefore", ["2026-01-01T00:00:00Z"]),
            ("updatedAfter", ["2025-12-06T10:00:00-03:00"]), ("status", ["new", "142", "a%26b"]), ("source", ["Knowlarity", "%C3%BCber"]),
            ("search", ["needle", "x+y", "100%25", "%2B91"]), ("hasTag", ["vip", "VIP%20client"]), ("exportConsentOnly", ["true", "false"]),
            ("customField[utm_source]", ["ref_ABC"]), ("customField%5Bcity%5D", ["Almaty"]), ("includeBookings", ["false"]),
            ("limit", ["1", "007", "1000000"]),
        ]
        return (0..<500).map { _ in random.query(from: values) }
    }

    @Test func anExportReadAsItWasUnderstoodIsTheSameExport() throws {
        for dialect in [SQLDialect.sqlite, .postgres] {
            for text in Self.queries {
                let first = try ExportQuery(dataset: "leads", format: "csv", query: QueryParameters(queryString: text), dialect: dialect)
                let written = URLEncoding.query(first.understood)
                let again = try ExportQuery(dataset: "leads", format: "csv", query: QueryParameters(queryString: written), dialect: dialect)
                #expect(again.sql == first.sql, "\(text) → \(written)")
                #expect(again.parameters == first.parameters, "\(text) → \(written)")
                #expect(again.columns.map(\.name) == first.columns.map(\.name), "\(text) → \(written)")
                #expect(URLEncoding.query(again.understood) == written, "\(text) → \(written)")
            }
        }
    }
}
