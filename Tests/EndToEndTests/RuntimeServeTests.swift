import APIDescription
import Foundation
import FunctionCatalog
import FunctionKit
import LeadwireStore
import TestSupport
import Testing

/// `runtime serve`: the local host developers use, reached over real HTTP on loopback.
@Suite struct RuntimeServeTests {
    let scratch = Scratch("serve")

    @Test func theSeedCurlExampleIsStoredAndQueryableAsDocumented() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let response = try await http(
            "POST", base + "/functions/v1/kommo-webhook",
            body: #"{"leads":{"add":[{"id":999999,"name":"Test Lead","status_id":123,"pipeline_id":456}]}}"#,
            headers: ["Content-Type": "application/json"])
        #expect(response.status == 200)
        #expect(response.body.contains(#""status":"success""#))
        #expect(response.headers["date"]?.hasSuffix(" GMT") == true)
        let database = try scratch.database()
        let active = try database.query("SELECT name FROM kommo_leads WHERE is_deleted = false ORDER BY updated_at DESC")
        #expect(active.map { $0[0] } == ["Test Lead"])
        let logs = try database.query("SELECT status FROM kommo_webhook_logs ORDER BY created_at DESC LIMIT 10")
        #expect(logs.map { $0[0] } == ["success"])
        // One access line per request, on the runtime's stdout, with the request id the answer
        // and the function's own line carry.
        let id = try #require(response.headers["x-request-id"])
        let log = try await server.waitForLog(containing: #""event":"access""#)
        let access = log.split(separator: "\n").first { $0.contains(#""event":"access""#) }
        #expect(access?.contains(#""path":"/functions/v1/kommo-webhook""#) == true)
        #expect(access?.contains(#""target":"kommo-webhook""#) == true)
        #expect(access?.contains(#""request_id":"\#(id)""#) == true, "\(log)")
        #expect(log.contains(#""function":"kommo-webhook","event":"request","request_id":"\#(id)""#), "\(log)")
    }

    @Test func everyFunctionIsRoutedByItsSeedPath() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let sale = try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 5, utmSource: "ref_ABC"))
        #expect(sale.status == 200)
        #expect(sale.body.contains(#""referral_code":"ABC""#))
        #expect(try await http("GET", base + "/webhook/amocrm/test").status == 200)
        let call = try await http("POST", base + "/webhooks/knowlarity", body: knowlarityCallJSON(uuid: "rt-1"), headers: ["Content-Type": "application/json"])
        #expect(call.body.contains(#""outcome":"new_lead""#))
        _ = server
    }

    @Test func healthSaysTheVersionAndSchemaOrThatTheStoreIsGone() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let healthy = try await http("GET", base + "/health")
        #expect(healthy.status == 200)
        let answer = try JSONValue(parsing: healthy.body)
        #expect(answer["status"] == "ok")
        #expect(answer["version"] == .string(LeadwireVersion.string))
        #expect(answer["schema_version"]?.int64 ?? 0 > 0)
        #expect(healthy.headers["x-leadwire-version"] == LeadwireVersion.string)
        #expect(healthy.headers["cache-control"] == "no-store")
        _ = server

        // The same function as a CGI host runs it, with a store it cannot open.
        let broken = try runCGI(
            "health", environment: ["REQUEST_METHOD": "GET", "SCRIPT_NAME": "/health", "LEADWIRE_DATABASE": "/nonexistent/folder/leadwire.sqlite3"],
            stdin: Data())
        #expect(broken.status == 503)
        #expect(broken.body.contains(#""status":"unavailable""#))
    }

    /// `runtime serve` answers the generated OpenAPI document (APIDescriptionTests hold it to the
    /// catalog), with this build's version.
    @Test func servesTheOpenAPIDocument() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let response = try await http("GET", base + "/openapi.json")
        #expect(response.status == 200)
        #expect(response.body == APIDescription.json)
        let document = try #require(try JSONSerialization.jsonObject(with: Data(response.body.utf8)) as? [String: Any])
        #expect((document["info"] as? [String: Any])?["version"] as? String == LeadwireVersion.string)
        _ = server
    }

    @Test func wrongMethodAndUnknownPathAreJSONErrors() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let get = try await http("GET", base + "/kommo-webhook")
        #expect(get.status == 405)
        #expect(get.headers["allow"] == "POST")
        let missing = try await http("POST", base + "/no-such-function", body: "x=1")
        #expect(missing.status == 404)
        #expect(missing.body.contains(#""code":"not_found""#))
        _ = server
    }

    @Test func concurrentRequestsAreAllServedAndStored() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for index in 1...20 {
                group.addTask {
                    try await http(
                        "POST", base + "/kommo-webhook", body: kommoLeadForm(id: index, name: "Lead \(index)"),
                        headers: ["Content-Type": "application/x-www-form-urlencoded"]
                    ).status
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 20))
        #expect(try scratch.database().queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(20))
        _ = server
    }

    @Test func aFunctionThatRunsTooLongIsStoppedWith504() async throws {
        // The function would wait 120 s for the write lock the test holds; the runtime gives it 1 s.
        // (The bound below leaves room for starting the pool on a machine busy with other suites,
        // which took 16 s and once 28 s in CI, and stays far under the 120 s the lock wait would take.)
        let (server, base) = try await startRuntime(in: scratch, settings: [
            "LEADWIRE_FUNCTION_TIMEOUT_SECONDS": "1", "LEADWIRE_BUSY_TIMEOUT_MS": "120000", "LEADWIRE_WEBHOOK_DEADLINE_MS": "120000",
        ])
        let lockHolder = try scratch.database()
        try TestStore.holdWriteLock(lockHolder)
        defer { try? lockHolder.execute("ROLLBACK") }
        let started = Date()
        let response = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 1, name: "Slow"))
        #expect(response.status == 504)
        #expect(response.body.contains("function_timeout"))
        #expect(Date().timeIntervalSince(started) < 100, "stopped at its 1 s timeout, not after the 120 s lock wait")
        _ = server
    }

    @Test func aStoreThatStaysLockedAnswers503SoTheSenderRetries() async throws {
        let (server, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_BUSY_TIMEOUT_MS": "200"])
        let lockHolder = try scratch.database()
        try TestStore.holdWriteLock(lockHolder)
        let locked = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 2, name: "Retry me"))
        #expect(locked.status == 503)
        #expect(locked.body.contains("store_unavailable"))
        #expect(locked.headers["retry-after"] == "1", "a sender told to retry is told when")
        try lockHolder.execute("ROLLBACK")
        // The retry, once the lock is free, goes through.
        let retried = try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 2, name: "Retry me"))
        #expect(retried.status == 200)
        // The 503 stored nothing, so the retry is the one copy: one lead, one log row.
        let stored = try scratch.database().queryRow("SELECT (SELECT count(*) FROM kommo_leads), (SELECT count(*) FROM kommo_webhook_logs)")
        #expect(stored?.values == [.integer(1), .integer(1)])
        _ = server
    }

    @Test func invokeRunsOneRequestFromStdin() throws {
        let process = Process()
        process.executableURL = try Products.url("runtime")
        process.arguments = ["invoke", "kommo-webhook", "--header", "Content-Type: application/x-www-form-urlencoded", "--database", scratch.databasePath]
        process.environment = ProcessInfo.processInfo.environment.merging(scratch.storeSettings) { $1 }
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(kommoLeadForm(id: 55, name: "Invoked").utf8))
        try input.fileHandleForWriting.close()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(text.hasPrefix("Status: 200 OK"))
        #expect(try scratch.database().queryRow("SELECT name FROM kommo_leads")?[0] == "Invoked")
    }

    @Test func aKeptConnectionCarriesRequestsUntilABodyIsRefusedUnread() async throws {
        let (server, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_MAX_BODY_BYTES": "1000"])
        let port = Int(base.split(separator: ":").last!)!
        let (first, second, refused) = try await onNewThread {
            let connection = try RawHTTPConnection(port: port)
            let first = try connection.exchange("POST", "/kommo-webhook", body: kommoLeadForm(id: 1, name: "One"))
            let second = try connection.exchange("POST", "/kommo-webhook", body: kommoLeadForm(id: 2, name: "Two"))
            // Over the limit: answered 413 without reading the body, so the connection must end.
            try connection.send(RawHTTPConnection.request("POST", "/kommo-webhook", body: Array(repeating: UInt8(ascii: "a"), count: 5000)))
            return (first, second, try connection.readResponse())
        }
        #expect(first.status == 200)
        #expect(second.status == 200)
        #expect(refused.status == 413)
        #expect(refused.headers["connection"] == "close")
        #expect(try scratch.database().queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(2))
        _ = server
    }

    /// A client that sends its request head a byte at a time (slowloris), or connects and sends
    /// nothing, is dropped at LEADWIRE_HEADER_TIMEOUT_MS / LEADWIRE_IDLE_TIMEOUT_MS while others
    /// are served; past LEADWIRE_MAX_CONNECTIONS a new connection is closed at once.
    @Test func slowAndSilentClientsAreDroppedWhileOthersAreServed() async throws {
        let (server, base) = try await startRuntime(
            in: scratch, settings: ["LEADWIRE_HEADER_TIMEOUT_MS": "1500", "LEADWIRE_IDLE_TIMEOUT_MS": "1500", "LEADWIRE_MAX_CONNECTIONS": "3"])
        let port = Int(base.split(separator: ":").last!)!
        let silent = try RawHTTPConnection(port: port, timeoutSeconds: 10)
        let slow = try RawHTTPConnection(port: port, timeoutSeconds: 10)
        // 70 bytes at one every 250 ms would take 17 s: ten times the header timeout, so the
        // client is cut off long before its head is complete, however busy the machine.
        let head = Array("POST /kommo-webhook HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: aaaaaaaaaaaaaaaaaaaa\r\n".utf8)
        let sent = try await onNewThread { () -> Int in
            var sent = 0
            for byte in head {
                guard (try? slow.send([byte])) != nil else { break }
                sent += 1
                usleep(250_000)
            }
            return sent
        }
        #expect(sent < head.count, "the slow client sent its whole head (\(sent) bytes) without being dropped")
        #expect(silent.closedWithoutAnswer(), "a connection that sent nothing is closed")
        // Others are served meanwhile and after.
        #expect(try await http("GET", base + "/health").status == 200)

        // Three connections open at most: a fourth is closed without an answer. It connects
        // once the server holds the three (a descriptor each), not after a guessed pause.
        let probe = ProcessProbe(pid: server.processIdentifier)
        let before = probe.openDescriptors
        let held = try (0..<3).map { _ in try RawHTTPConnection(port: port, timeoutSeconds: 5) }
        for _ in 0..<200 where probe.openDescriptors < before + 3 { try await Task.sleep(for: .milliseconds(10)) }
        let fourth = try RawHTTPConnection(port: port, timeoutSeconds: 5)
        #expect(fourth.closedWithoutAnswer())
        _ = (held, server)
    }

    /// A client may hang up at any point of a request. A FastCGI process is replaced only when
    /// its own answer was cut and cannot be finished; here every process finishes its answer, so
    /// the same processes serve on, and a hang-up is logged as one, not as an error.
    @Test func clientsHangingUpAtEveryPointCostNoProcess() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let port = Int(base.split(separator: ":").last!)!
        let form = Array(kommoLeadForm(id: 1, name: "Warm").utf8)
        let headers = ["Content-Type": "application/x-www-form-urlencoded"]
        _ = try RawHTTPConnection(port: port).exchange("POST", "/kommo-webhook", headers: headers, body: String(decoding: form, as: UTF8.self))
        #expect(try await http("GET", base + "/health").status == 200)
        let processes = ProcessProbe(pid: server.processIdentifier).children.sorted()
        #expect(!processes.isEmpty)
        for id in 2..<12 {
            let request = RawHTTPConnection.request("POST", "/kommo-webhook", headers: headers, body: Array(kommoLeadForm(id: id, name: "Gone").utf8))
            let connection = try RawHTTPConnection(port: port)
            switch id % 5 {
            case 0: break  // connects, sends nothing, leaves
            case 1: try connection.send(Array(request.prefix(20)))  // mid-head
            case 2: try connection.send(Array(request.dropLast(10)))  // mid-body
            case 3: try connection.send(request)  // before the answer
            default:  // after a complete answer
                try connection.send(request)
                #expect(try connection.readResponse().status == 200)
            }
        }
        // The six whose head arrived are logged once the runtime is done with them, the warm-up
        // before them: only then is there nothing left to replace a process for.
        _ = try await server.waitForLog(containing: #""path":"/kommo-webhook","target""#, times: 7)
        #expect(ProcessProbe(pid: server.processIdentifier).children.sorted() == processes, "a process was replaced")
        #expect(try await http("GET", base + "/health").status == 200)
        let log = try String(contentsOf: server.log, encoding: .utf8)
        #expect(!log.contains("function_restarted") && !log.contains("response_aborted"), "\(log)")
    }

    /// Someone who opens the server's address finds the way on: the functions and their routes,
    /// the API description and the viewers; a wrong path's 404 points there.
    @Test func theRootListsWhereToGo() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let index = try await http("GET", base + "/")
        #expect(index.status == 200)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(index.body.utf8)) as? [String: Any])
        #expect(json["openapi"] as? String == "/openapi.json")
        #expect((json["viewers"] as? [String])?.contains("/api/admin/webhook-logs/viewer") == true)
        #expect((json["functions"] as? [[String: Any]])?.compactMap { $0["name"] as? String } == Catalog.functions.map(\.name))
        let lost = try await http("GET", base + "/nowhere")
        #expect(lost.status == 404)
        #expect(lost.body.contains("GET / lists the functions"))
        _ = server
    }

    @Test func aPortInUseIsNamedInTheError() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        let port = String(base.split(separator: ":").last!)
        let (status, output) = try ServerProcess.runToEnd(
            try Products.url("runtime").path, ["serve", "--port", port],
            environment: ["PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL])
        #expect(status != 0)
        #expect(output.contains("Port \(port) on 127.0.0.1 is already in use"), "\(output)")
        _ = server
    }

    @Test func sigtermStopsTheRuntimeAndItsFastCGIProcesses() async throws {
        let (server, base) = try await startRuntime(in: scratch)
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 1, name: "Pool")).status == 200)
        // An idle kept-alive connection must not hold the shutdown up.
        let idle = try await onNewThread { () -> RawHTTPConnection in
            let connection = try RawHTTPConnection(port: Int(base.split(separator: ":").last!)!)
            _ = try connection.exchange("POST", "/kommo-webhook", body: kommoLeadForm(id: 2, name: "Kept"))
            return connection
        }
        let probe = ProcessProbe(pid: server.processIdentifier)
        // The pool's second process may still be starting on a busy machine.
        for _ in 0..<100 where probe.children.count < 2 { try await Task.sleep(for: .milliseconds(50)) }
        let workers = probe.children
        #expect(workers.count == 2, "kommo-webhook's pool")
        kill(server.processIdentifier, SIGTERM)
        #expect(try await server.waitForExit(seconds: 10) != nil, "the runtime did not stop")
        for worker in workers {
            #expect(kill(worker, 0) != 0, "function process \(worker) outlived the runtime")
        }
        _ = idle
    }

    /// A runtime killed outright cannot remove its sockets' folder; the next one to start
    /// removes it, and leaves alone the folder of a process that is still running.
    @Test func aStartingRuntimeRemovesTheSocketFolderOfOneThatWasKilled() async throws {
        // A short path of its own: a socket's path has room for 107 bytes.
        var template = Array("/tmp/lw-sockets-XXXXXX".utf8CString)
        let temporary = URL(fileURLWithPath: String(cString: try #require(mkdtemp(&template))))
        defer { try? FileManager.default.removeItem(at: temporary) }
        let living = temporary.appending(path: "leadwire-runtime-\(getpid())")
        try FileManager.default.createDirectory(at: living, withIntermediateDirectories: true)
        func folder(of server: ServerProcess) -> String { temporary.appending(path: "leadwire-runtime-\(server.processIdentifier)").path }

        let (killed, base) = try await startRuntime(in: scratch, settings: ["TMPDIR": temporary.path])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 1, name: "Before the kill")).status == 200)
        kill(killed.processIdentifier, SIGKILL)
        _ = try await killed.waitForExit(seconds: 10)
        #expect(!killed.isRunning, "the runtime did not die")
        #expect(FileManager.default.fileExists(atPath: folder(of: killed)), "SIGKILL left no folder behind, so this test shows nothing")

        let (next, _) = try await startRuntime(in: scratch, settings: ["TMPDIR": temporary.path])
        #expect(!FileManager.default.fileExists(atPath: folder(of: killed)), "the killed runtime's folder is still there")
        #expect(FileManager.default.fileExists(atPath: folder(of: next)))
        #expect(FileManager.default.fileExists(atPath: living.path), "the folder of a running process was removed")
    }
}
