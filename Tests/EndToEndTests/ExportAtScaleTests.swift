import Admin
import Foundation
import LeadwireStore
import Testing

/// A million-row export, run as a CGI host runs it: memory must not grow with the rows, and the
/// audit's hash must be the hash of exactly what was sent.
@Suite struct ExportAtScaleTests {
    @Test func aMillionRowExportStreamsInConstantMemoryAndIsAuditedExactly() throws {
        let scratch = Scratch("export-1m")
        let database = try Database(path: scratch.databasePath)
        try database.execute(
            """
            INSERT INTO sources (display_name, source_type) VALUES ('Bench', 'bench');
            WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < 1000000)
            INSERT INTO leads_master (full_name, phone_number_normalized, source_id, external_lead_id, status, raw_payload)
            SELECT 'Lead ' || v, printf('9%09d', v), 1, 'ext-' || v, 'New', json_object('n', v) FROM n;
            """)
        let key = try ApiKeys(database: database).create(name: "scale", scopes: [.export])
        func export(_ query: String) throws -> MeasuredRun {
            try runMeasured(
                Products.url("export"),
                environment: [
                    "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/admin/export", "PATH_INFO": "/leads/csv", "QUERY_STRING": query,
                    "HTTP_AUTHORIZATION": "Bearer \(key)", "LEADWIRE_DATABASE": scratch.databasePath,
                ])
        }

        let small = try export("createdAfter=2999-01-01")  // no rows: the process's own footprint
        let large = try export("")
        #expect(large.exitStatus == 0)
        #expect(String(decoding: large.output, as: UTF8.self).hasPrefix("Status: 200 OK"))
        // Constant memory: a million rows may cost a few buffers more than none, not the data.
        let growth = large.peakResidentKilobytes - small.peakResidentKilobytes
        #expect(growth < 8 * 1024, "peak RSS grew \(growth) KB for 1M rows (\(large.outputByteCount) bytes sent)")
        #expect(large.peakResidentKilobytes < 30 * 1024)

        let audit = try #require(
            try database.queryRow("SELECT row_count, byte_count, sha256, completed FROM data_exports ORDER BY id DESC LIMIT 1"))
        #expect(audit[0] == .integer(1_000_000))
        #expect(audit[3] == .integer(1))
        // The audit hashes the body; the process also wrote its CGI headers first.
        let text = String(decoding: large.output, as: UTF8.self)
        let headerLength = try #require(text.range(of: "\n\n")).upperBound.utf16Offset(in: text)
        #expect(audit[1] == .integer(Int64(large.outputByteCount - headerLength)))
        #expect(audit[2].text?.count == 64)
    }
}
