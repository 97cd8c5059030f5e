import Admin
import Foundation
import FunctionCatalog
import FunctionKit
import LeadwireStore
import TestSupport
import Testing

/// kommo-webhook run exactly as a CGI host runs it: meta-variables and a body on stdin.
@Suite struct CGIExecutableTests {
    let scratch = Scratch("cgi")

    func environment(contentLength: Int?, extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/kommo-webhook", "PATH_INFO": "",
            "QUERY_STRING": "", "CONTENT_TYPE": "application/x-www-form-urlencoded", "REMOTE_ADDR": "127.0.0.1",
            "HTTP_USER_AGENT": "amoCRM-WebHook-client/1.0", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL,
        ]
        environment["CONTENT_LENGTH"] = contentLength.map(String.init)
        return environment.merging(TestSettings.openIntake) { $1 }.merging(extra) { $1 }
    }

    @Test func aFormEncodedEventIsStoredAndAnswered() throws {
        let body = kommoLeadForm(id: 25_399_013, name: "From CGI")
        let result = try runCGI("kommo-webhook", environment: environment(contentLength: body.utf8.count), stdin: Data(body.utf8))
        #expect(result.status == 200)
        #expect(result.headers["content-type"] == "application/json")
        #expect(result.headers["content-length"] == String(result.body.utf8.count))
        #expect(result.headers["x-leadwire-version"] == LeadwireVersion.string)
        let row = try scratch.database().queryRow("SELECT name, account_id FROM kommo_leads WHERE kommo_id = 25399013")
        #expect(row?.values == [.text("From CGI"), .integer(29_085_730)])
    }

    @Test func readsExactlyContentLengthBytesAndNoMore() throws {
        let body = kommoLeadForm(id: 7, name: "Exact")
        // The host may leave more data on stdin; RFC 3875 §4.2 says read only CONTENT_LENGTH.
        let result = try runCGI(
            "kommo-webhook", environment: environment(contentLength: body.utf8.count), stdin: Data((body + "&garbage=%%%").utf8))
        #expect(result.status == 200)
        let raw = try scratch.database().queryRow("SELECT raw_body FROM kommo_webhook_logs")?[0].bodyText
        #expect(raw == body)
    }

    @Test func aBodyShorterThanDeclaredIsRefusedAndWhatArrivedIsLogged() throws {
        let result = try runCGI("kommo-webhook", environment: environment(contentLength: 500), stdin: Data("leads[add][0][id]=1".utf8))
        #expect(result.status == 400)
        #expect(result.body.contains("truncated_body"))
        let log = try scratch.database().queryRow("SELECT raw_body, error_message, status FROM kommo_webhook_logs")
        #expect(log?[0].bodyText == "leads[add][0][id]=1")
        #expect(log?[1].text?.contains("19 of 500 bytes") == true)
        #expect(log?[2] == "error")
    }

    /// A body that is not UTF-8 is refused (400) and kept byte for byte: before, its invalid
    /// bytes were replaced (44 bytes sent, 50 stored).
    @Test func aBodyThatIsNotUTF8IsKeptByteForByte() throws {
        let body = Array("leads[add][0][id]=1&leads[add][0][name]=".utf8) + [0xC3, 0x28, 0xFF, 0x00]
        #expect(body.count == 44)
        let result = try runCGI("kommo-webhook", environment: environment(contentLength: body.count), stdin: Data(body))
        #expect(result.status == 400)
        let raw = try scratch.database().queryRow("SELECT raw_body FROM kommo_webhook_logs")
        #expect(raw?[0] == .blob(body))
    }

    @Test func aUTF8BodyWithANulByteIsKeptWhole() throws {
        let body = "leads[add][0][id]=1&leads[add][0][name]=a%00b&note=\u{0}tail"
        let result = try runCGI("kommo-webhook", environment: environment(contentLength: body.utf8.count), stdin: Data(body.utf8))
        #expect(result.status == 200)
        let raw = try scratch.database().queryRow("SELECT raw_body FROM kommo_webhook_logs")
        // SQLite keeps UTF-8 as text, PostgreSQL every body as bytes: the same bytes either way.
        #expect(raw?[0] == .text(body) || raw?[0] == .blob(Array(body.utf8)))
    }

    /// One process per request: each one opens the database alone, so SQLite's own checkpoint
    /// never let the write-ahead log start over. It grew by every request (882 frames, 3.6 MB,
    /// after these 60), and every start read all of it. The log must stay near the 128 frames
    /// after which a one-request process empties it.
    @Test(.disabled(if: TestStore.isPostgres, "SQLite's write-ahead log"))
    func theWriteAheadLogStaysShortWithAProcessPerRequest() throws {
        let requests = 60
        for index in 1...requests {
            let body = kommoLeadForm(id: index, name: "Lead \(index)")
            let result = try runCGI("kommo-webhook", environment: environment(contentLength: body.utf8.count), stdin: Data(body.utf8))
            #expect(result.status == 200)
        }
        let frameBytes = 24 + 4096
        let logBytes = (try? FileManager.default.attributesOfItem(atPath: scratch.databasePath + "-wal")[.size] as? Int) ?? 0
        #expect(logBytes <= 32 + (128 + 32) * frameBytes, "the write-ahead log holds \(logBytes / frameBytes) frames")
        #expect(try scratch.database().queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(Int64(requests)))
    }

    @Test func anOversizeBodyIs413WithoutReadingIt() throws {
        let result = try runCGI(
            "kommo-webhook", environment: environment(contentLength: 2_000_000, extra: ["LEADWIRE_MAX_BODY_BYTES": "1000"]),
            stdin: Data())
        #expect(result.status == 413)
        #expect(result.body.contains("payload_too_large"))
    }

    /// Through the real CGI reader (not a made-up limit error): the body is never read, and the
    /// refusal is a log row that keeps the declared length, as README promises for every intake.
    @Test(arguments: [
        ("kommo-webhook", "/kommo-webhook", "application/x-www-form-urlencoded"),
        ("amocrm-webhook", "/webhook/amocrm", "application/x-www-form-urlencoded"),
        ("knowlarity-webhook", "/webhooks/knowlarity", "application/json"),
    ])
    func anOversizeBodyIs413AndItsLogRowKeepsTheDeclaredLength(function: String, path: String, contentType: String) throws {
        let result = try runCGI(
            function,
            environment: environment(
                contentLength: 2_000_000, extra: ["SCRIPT_NAME": path, "CONTENT_TYPE": contentType, "LEADWIRE_MAX_BODY_BYTES": "1000"]),
            stdin: Data(repeating: 0x41, count: 4096))
        #expect(result.status == 413)
        #expect(result.body.contains("payload_too_large"))
        let database = try scratch.database()
        if function == "kommo-webhook" {
            let row = try #require(try database.queryRow("SELECT raw_body, error_message, status FROM kommo_webhook_logs"))
            #expect(row[0] == .null, "the body was not read, so none is kept")
            #expect(row[1].text?.contains("2000000") == true, "\(row[1])")
            #expect(row[2] == .text("error"))
        } else {
            let row = try #require(try database.queryRow("SELECT deal_data, processing_status, source FROM webhook_logs"))
            let kept = try JSONValue(parsing: row[0].bodyText ?? "")
            #expect(kept["declared_length"]?.int64 == 2_000_000, "\(row[0])")
            #expect(kept["raw_body"] == nil)
            #expect(row[1] == .text("error"))
            #expect(row[2] == .text(function == "amocrm-webhook" ? "amocrm" : "knowlarity"))
        }
    }

    /// A subscriber to `events` (a JSON list), so a test can see what would be queued for it.
    func subscribe(to events: String) throws {
        _ = try scratch.database().run(
            "INSERT INTO webhook_subscriptions (id, name, url, events, secret_sealed) VALUES ('wh_all', 'all', 'https://crm.example.com/hook', ?, ?)",
            [.text(events), .blob([0])])
    }

    /// Every answer of every function, errors and refusals included, names the Leadwire that made it.
    @Test(arguments: Catalog.functions.map(\.name))
    func everyAnswerCarriesTheVersion(function: String) throws {
        let path = try #require(Catalog.functions.first { $0.name == function }?.routes.first?.path)
        for method in ["GET", "POST", "TRACE"] {
            let result = try runCGI(
                function, environment: environment(contentLength: 0, extra: ["SCRIPT_NAME": path, "REQUEST_METHOD": method]), stdin: Data())
            #expect(result.status >= 200, "\(function) \(method): no answer")
            #expect(result.headers["x-leadwire-version"] == LeadwireVersion.string, "\(function) \(method) answered \(result.status) without it")
        }
    }

    /// `LEADWIRE_WEBHOOK_DEADLINE_MS`: an event not stored by then is rolled back and answered
    /// 503, so Kommo retries rather than counting a late answer as a failure. Both ways: the
    /// work finishing after the deadline, and a store locked past it.
    @Test func anEventNotStoredByTheDeadlineIsRolledBackAndAnswered503() throws {
        // A subscriber to every event: a rolled-back change must queue nothing for it either.
        try subscribe(to: #"["*"]"#)
        let body = kommoLeadForm(id: 81, name: "Late")
        let late = try runCGI(
            "kommo-webhook", environment: environment(contentLength: body.utf8.count, extra: ["LEADWIRE_WEBHOOK_DEADLINE_MS": "1"]),
            stdin: Data(body.utf8))
        #expect(late.status == 503, "\(late.body)")
        #expect(late.body.contains("store_unavailable"))

        let lockHolder = try scratch.database()
        try TestStore.holdWriteLock(lockHolder)
        let started = Date()
        let locked = try runCGI(
            "kommo-webhook",
            environment: environment(
                contentLength: body.utf8.count, extra: ["LEADWIRE_WEBHOOK_DEADLINE_MS": "500", "LEADWIRE_BUSY_TIMEOUT_MS": "60000"]),
            stdin: Data(body.utf8))
        // A safety bound, not a speed target: it gave up at the deadline, not the 60 s busy timeout.
        #expect(Date().timeIntervalSince(started) < 30)
        try lockHolder.execute("ROLLBACK")
        #expect(locked.status == 503, "\(locked.body)")
        let stored = try scratch.database().queryRow("SELECT (SELECT count(*) FROM kommo_leads), (SELECT count(*) FROM kommo_webhook_logs)")
        #expect(stored?.values == [.integer(0), .integer(0)], "nothing of either event was kept")
        #expect(try scratch.database().queryRow("SELECT count(*) FROM outbox")?[0] == .integer(0), "no event for a change that never happened")
        // In time, the same event is stored and queued for the subscriber.
        #expect(try runCGI("kommo-webhook", environment: environment(contentLength: body.utf8.count), stdin: Data(body.utf8)).status == 200)
        #expect((try scratch.database().queryRow("SELECT count(*) FROM outbox")?[0].integer ?? 0) > 0)
    }

    /// A reader that leaves mid-export (a browser tab closed) leaves an audit row that says so:
    /// `completed = 0`, with how far the export got, and no `export.completed` event.
    @Test func anExportWhoseReaderLeavesIsAuditedAsIncomplete() throws {
        let database = try scratch.database()
        try insertLeads(100_000, into: database)
        let key = try ApiKeys(database: database).create(name: "leaver", scopes: [.export])
        try subscribe(to: #"["export.completed"]"#)
        let process = Process()
        process.executableURL = try Products.url("export")
        process.environment = scratch.storeSettings.merging([
            "REQUEST_METHOD": "GET", "SCRIPT_NAME": "/api/admin/export", "PATH_INFO": "/leads/csv", "HTTP_AUTHORIZATION": "Bearer \(key)",
        ]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let first = output.fileHandleForReading.readData(ofLength: 65_536)
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("Status: 200"))
        try output.fileHandleForReading.close()
        process.waitUntilExit()
        let audit = try #require(try database.queryRow("SELECT completed, row_count, byte_count FROM data_exports"))
        #expect(audit[0] == .integer(0), "\(audit.values)")
        #expect((audit[1].integer ?? 0) < 100_000, "\(audit.values)")
        #expect(try database.queryRow("SELECT count(*) FROM outbox WHERE payload LIKE '%export.completed%'")?[0] == .integer(0))
    }

    /// `LEADWIRE_<NAME>_FILE`: a secret read from a file the functions' user can read.
    @Test func aSecretComesFromAFileAndAMissingFileIsAClear500() throws {
        let secret = scratch.folder.appending(path: "kommo-token")
        try "s3cret\n".write(to: secret, atomically: true, encoding: .utf8)
        let body = kommoLeadForm(id: 9, name: "Secret")
        func send(_ extra: [String: String]) throws -> CGIResult {
            try runCGI("kommo-webhook", environment: environment(contentLength: body.utf8.count, extra: extra), stdin: Data(body.utf8))
        }
        #expect(try send(["LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE": secret.path]).status == 401)
        #expect(try send(["LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE": secret.path, "QUERY_STRING": "token=s3cret"]).status == 200)
        // The caller may be anyone: the answer names nothing, the function's log names the file.
        let log = scratch.folder.appending(path: "functions.log")
        let missing = try send(["LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE": "/nonexistent/token", "LEADWIRE_LOG_PATH": log.path])
        #expect(missing.status == 500)
        #expect(missing.body.contains("misconfigured") && !missing.body.contains("/nonexistent/token"))
        let logged = try String(contentsOf: log, encoding: .utf8)
        #expect(logged.contains("configuration_error") && logged.contains("LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE") && logged.contains("/nonexistent/token"))
        let both = try send(["LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE": secret.path, "LEADWIRE_KOMMO_WEBHOOK_TOKEN": "other"])
        #expect(both.status == 500)
        // Another function's secret, or its file, is not this function's business: never read.
        #expect(try send(["LEADWIRE_AMOCRM_WEBHOOK_TOKEN_FILE": "/nonexistent/token", "QUERY_STRING": "token=s3cret",
            "LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE": secret.path]).status == 200)
    }

    @Test func aBadSettingIsAClear500NotACrash() throws {
        let body = kommoLeadForm(id: 8, name: "x")
        let result = try runCGI(
            "kommo-webhook", environment: environment(contentLength: body.utf8.count, extra: ["LEADWIRE_MAX_BODY_BYTES": "-1"]),
            stdin: Data(body.utf8))
        #expect(result.status == 500)
        #expect(result.body.contains("misconfigured") && !result.body.contains("LEADWIRE_"))
    }
}
