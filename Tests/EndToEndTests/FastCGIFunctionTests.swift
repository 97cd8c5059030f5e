import Foundation
import LeadwireStore
import TestSupport
import Testing

/// The same function binary as a long-lived FastCGI responder: started with a listening
/// socket as fd 0, the way lighttpd, spawn-fcgi and systemd start it. Serialized: the client
/// blocks on its socket, and one blocked test at a time leaves the test pool free.
@Suite(.serialized) struct FastCGIFunctionTests {
    let scratch = Scratch("fastcgi")

    @Test func requestsOnOneKeptConnectionAreStoredAndAnswered() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        let client = try FastCGIClient(socketPath: function.socketPath)
        for id in 1...5 {
            let answer = try client.post("/kommo-webhook", body: kommoLeadForm(id: id, name: "Lead \(id)"), keep: true)
            #expect(answer.output.status == 200)
            #expect(answer.end == FastCGIWire.EndRequest(applicationStatus: 0, protocolStatus: FastCGIWire.requestComplete))
        }
        // A new connection to the same process.
        let again = try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: kommoLeadForm(id: 6, name: "Six"))
        #expect(again.output.status == 200)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(6))
        #expect(function.process.isRunning)
    }

    @Test func itAlsoBindsItsOwnSocketWithTheFastcgiOption() async throws {
        let socketPath = scratch.folder.appending(path: "own.sock").path
        let process = try ServerProcess(
            executable: try Products.url("kommo-webhook"), arguments: ["--fastcgi", "unix:\(socketPath)"],
            environment: scratch.openSettings, log: scratch.folder.appending(path: "own.log"))
        var client: FastCGIClient?
        for _ in 0..<100 where client == nil {
            client = try? FastCGIClient(socketPath: socketPath)
            if client == nil { try await Task.sleep(for: .milliseconds(20)) }
        }
        let answer = try #require(client).post("/kommo-webhook", body: kommoLeadForm(id: 1, name: "Own socket"))
        #expect(answer.output.status == 200)
        #expect(process.isRunning)
    }

    @Test func anOversizeBodyGets413AndTheProcessGoesOn() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch, settings: ["LEADWIRE_MAX_BODY_BYTES": "1000"])
        let client = try FastCGIClient(socketPath: function.socketPath)
        let big = try client.post("/kommo-webhook", body: kommoLeadForm(id: 1, name: String(repeating: "x", count: 5000)), keep: true)
        #expect(big.output.status == 413)
        #expect(big.output.body.contains("payload_too_large"))
        let logged = try scratch.database().queryRow("SELECT raw_body, status FROM kommo_webhook_logs")
        #expect(logged?.values == [.null, .text("error")], "the refusal is logged without the body")
        let small = try client.post("/kommo-webhook", body: kommoLeadForm(id: 2, name: "Small"), keep: true)
        #expect(small.output.status == 200)
        #expect(function.process.isRunning)
    }

    /// Only the logs function's replay, through the process's own environment, skips the
    /// sender checks: a request that names LEADWIRE_REPLAY_OF among its parameters is a sender
    /// like any other.
    @Test func aRequestCannotClaimToBeAReplay() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch, settings: ["LEADWIRE_KOMMO_WEBHOOK_TOKEN": "t0ken"])
        let claimed = try FastCGIClient(socketPath: function.socketPath).post(
            "/kommo-webhook", body: kommoLeadForm(id: 1, name: "Forged"), headers: [("LEADWIRE_REPLAY_OF", "1"), ("HTTP_LEADWIRE_REPLAY_OF", "1")])
        #expect(claimed.output.status == 401)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM kommo_leads")?[0] == .integer(0))
    }

    @Test func aMalformedRecordClosesThatConnectionOnly() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        let broken = try FastCGIClient(socketPath: function.socketPath)
        try broken.send([9, 9, 9, 9, 9, 9, 9, 9])  // version 9
        #expect(try broken.nextRecord() == nil, "the connection is closed")
        let answer = try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: kommoLeadForm(id: 1, name: "Next"))
        #expect(answer.output.status == 200)
        #expect(function.logText.contains("fastcgi_protocol_error"))
    }

    @Test func aSecondRequestOnTheConnectionIsRefusedAndTheFirstAnswered() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        let client = try FastCGIClient(socketPath: function.socketPath)
        let body = Array(kommoLeadForm(id: 1, name: "First").utf8)
        let first = FastCGIClient.request(
            id: 1, params: [("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", "/kommo-webhook"), ("CONTENT_LENGTH", String(body.count))], body: body)
        // Begin request 2 before request 1's body has ended.
        let cut = first.count - FastCGIWire.headerLength
        try client.send(Array(first[..<cut]))
        try client.send(FastCGIWire.record(FastCGIWire.beginRequest, id: 2, FastCGIWire.beginBody(keepConnection: false)))
        let refusal = try #require(try client.nextRecord())
        #expect(refusal.requestID == 2)
        #expect(refusal.type == FastCGIWire.endRequest)
        #expect(FastCGIWire.EndRequest(refusal.content)?.protocolStatus == FastCGIWire.cannotMultiplexConnection)
        try client.send(Array(first[cut...]))
        #expect(try client.readAnswer(id: 1).output.status == 200)
    }

    @Test func getValuesSaysHowManyConnectionsAndOneRequestAtATimeOnEach() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch, settings: ["LEADWIRE_FASTCGI_CONNECTIONS": "4"])
        let client = try FastCGIClient(socketPath: function.socketPath)
        try client.send(FastCGIWire.record(FastCGIWire.getValues, id: 0, FastCGIWire.pairs([("FCGI_MPXS_CONNS", ""), ("FCGI_MAX_CONNS", "")])))
        let record = try #require(try client.nextRecord())
        #expect(record.type == FastCGIWire.getValuesResult)
        let values = FastCGIWire.decodePairs(record.content)?.map { "\($0)=\($1)" }
        #expect(values == ["FCGI_MPXS_CONNS=0", "FCGI_MAX_CONNS=4"])
    }

    @Test func sigtermFinishesTheRequestInFlightThenExits() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch, settings: ["LEADWIRE_WEBHOOK_DEADLINE_MS": "20000", "LEADWIRE_BUSY_TIMEOUT_MS": "20000"])
        // Open the store before taking its lock, so the function can start; then hold the lock.
        #expect(try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: kommoLeadForm(id: 1, name: "Warm")).output.status == 200)
        let lockHolder = try scratch.database()
        try TestStore.holdWriteLock(lockHolder)
        // The signal must find the request accepted: one still waiting to be accepted is not in
        // flight, and a stopping process rightly leaves it to the next.
        let probe = ProcessProbe(pid: function.process.processIdentifier)
        func accepted() -> Int { probe.acceptedConnections(on: function.socketPath) }
        try await waitUntil("the warm-up connection closed") { accepted() == 0 }
        let client = try FastCGIClient(socketPath: function.socketPath)
        let body = Array(kommoLeadForm(id: 2, name: "In flight").utf8)
        try client.send(
            FastCGIClient.request(
                params: [
                    ("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", "/kommo-webhook"), ("CONTENT_TYPE", "application/x-www-form-urlencoded"),
                    ("CONTENT_LENGTH", String(body.count)),
                ], body: body))
        try await waitUntil("the request accepted") { accepted() == 1 }
        kill(function.process.processIdentifier, SIGTERM)
        try lockHolder.execute("COMMIT")
        #expect(try client.readAnswer().output.status == 200)
        #expect(try await function.waitForExit() == 0)
        #expect(try scratch.database().queryRow("SELECT name FROM kommo_leads WHERE kommo_id = 2")?[0] == "In flight")
    }

    @Test func maxRequestsRecyclesTheProcess() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch, settings: ["LEADWIRE_FASTCGI_MAX_REQUESTS": "3"])
        let client = try FastCGIClient(socketPath: function.socketPath)
        for id in 1...3 {
            #expect(try client.post("/kommo-webhook", body: kommoLeadForm(id: id, name: "R"), keep: true).output.status == 200)
        }
        #expect(try await function.waitForExit() == 0)
        #expect(function.logText.contains("fastcgi_recycled"))
    }

    /// Memory stays flat: the database, statements and buffers are reused, not accumulated.
    @Test func memoryStaysFlatOverManyRequests() async throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        let probe = ProcessProbe(pid: function.process.processIdentifier)
        let client = try FastCGIClient(socketPath: function.socketPath)
        func send(_ range: ClosedRange<Int>) throws {
            for id in range {
                let answer = try client.post("/kommo-webhook", body: kommoLeadForm(action: id % 2 == 0 ? "add" : "update", id: id % 500, name: "Lead \(id)", updatedAt: 1_744_532_875 + id), keep: true)
                guard answer.output.status == 200 else { throw TestSetupError("request \(id): \(answer.output.status)") }
            }
        }
        try send(1...1_000)
        let early = probe.currentResidentKilobytes
        try send(1_001...10_000)
        let late = probe.currentResidentKilobytes
        print("fastcgi memory: \(early) KB after 1,000 requests, \(late) KB after 10,000")
        #expect(late - early < 2 * 1024, "RSS grew \(late - early) KB over 9,000 requests")
    }
}
