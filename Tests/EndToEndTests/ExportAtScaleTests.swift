import Admin
import Foundation
import LeadwireStore
import Testing

/// A million-row export, run as a CGI host runs it: memory must not grow with the rows, and the
/// audit's hash must be the hash of exactly what was sent.
@Suite struct ExportAtScaleTests {
    @Test func aMillionRowExportStreamsInConstantMemoryAndIsAuditedExactly() throws {
        let scratch = Scratch("export-1m")
        let database = try scratch.database()
        try insertLeads(1_000_000, into: database)
        let key = try ApiKeys(database: database).create(name: "scale", scopes: [.export])
        func export(_ query: String) throws -> MeasuredRun {
            try runMeasured(
                Products.url("export"),
                environment: [
                    "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/admin/export", "PATH_INFO": "/leads/csv", "QUERY_STRING": query,
                    "HTTP_AUTHORIZATION": "Bearer \(key)", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL,
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
        // The audit describes exactly the body sent: its length and its SHA-256.
        #expect(audit[1] == .integer(Int64(large.bodyByteCount)))
        #expect(audit[2] == .text(large.bodySHA256))
    }

    /// Through `runtime serve` the answer streams too: the runtime passes the function's output
    /// on as it comes, so its memory does not grow with the export and the first byte is early.
    @Test func aMillionRowExportStreamsThroughTheRuntime() async throws {
        let scratch = Scratch("export-1m-runtime")
        let database = try scratch.database()
        try insertLeads(1_000_000, into: database)
        let key = try ApiKeys(database: database).create(name: "scale", scopes: [.export])
        // Speed is the benchmark's business; a debug build sharing the machine with the rest of
        // the suite may take longer than the default 30 s to send a million rows.
        let (server, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_FUNCTION_TIMEOUT_SECONDS": "300"])
        let probe = ProcessProbe(pid: server.processIdentifier)
        let port = Int(base.split(separator: ":").last!)!
        let (response, firstByteSeconds, totalSeconds) = try await onNewThread {
            let connection = try RawHTTPConnection(port: port, timeoutSeconds: 300)
            let started = Date()
            try connection.send(RawHTTPConnection.request("GET", "/api/admin/export/leads/csv", headers: ["Authorization": "Bearer \(key)"]))
            try connection.waitForFirstBytes()
            let firstByte = Date().timeIntervalSince(started)
            return (try connection.readResponse(), firstByte, Date().timeIntervalSince(started))
        }

        #expect(response.status == 200)
        #expect(response.headers["transfer-encoding"] == "chunked")
        let lines = response.body.reduce(0) { $0 + ($1 == 0x0A ? 1 : 0) }
        #expect(lines == 1_000_001, "header line and one line per lead")
        let peak = probe.peakResidentKilobytes
        #expect(peak < 64 * 1024, "the runtime held the export: peak RSS \(peak) KB")
        print(
            "export through runtime serve: \(response.body.count / 1_000_000) MB, first byte after "
                + "\(Int(firstByteSeconds * 1000)) ms, all after \(String(format: "%.1f", totalSeconds)) s, runtime peak RSS \(peak / 1024) MB")
    }
}

/// `count` leads from one new source, made by the database itself in one statement (on a
/// database with no sources yet, so the new one has id 1).
func insertLeads(_ count: Int, into database: Database) throws {
    let rows =
        switch database.dialect {
        case .sqlite:
            """
            WITH RECURSIVE n(v) AS (SELECT 1 UNION ALL SELECT v + 1 FROM n WHERE v < \(count))
            SELECT 'Lead ' || v, printf('9%09d', v), 1, 'ext-' || v, 'New', json_object('n', v) FROM n
            """
        case .postgres:
            "SELECT 'Lead ' || v, '9' || lpad(v::text, 9, '0'), 1, 'ext-' || v, 'New', jsonb_build_object('n', v) FROM generate_series(1, \(count)) AS v"
        }
    try database.execute(
        """
        INSERT INTO sources (display_name, source_type) VALUES ('Bench', 'bench');
        INSERT INTO leads_master (full_name, phone_number_normalized, source_id, external_lead_id, status, raw_payload)
        \(rows);
        """)
}
