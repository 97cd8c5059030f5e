import CPageCache
import Foundation
import LeadwireStore
import TestSupport
import Testing

/// Group commit in a FastCGI webhook process: the requests that are ready together share one
/// transaction, and each is answered only once it has committed. SQLite only: on PostgreSQL
/// each request keeps its own transaction (see `Database.beginGroup`).
@Suite(.serialized, .enabled(if: !TestStore.isPostgres)) struct GroupCommitTests {
    let scratch = Scratch("gc")

    /// Six requests that depend on each other (the same lead inserted, updated, sent late,
    /// sent again) and one bad body, answered once as a group and once one at a time on a
    /// fresh store: the answers and the stored rows are the same.
    @Test func aGroupAnswersAndStoresExactlyAsOneAtATime() async throws {
        let requests: [(body: String, contentType: String)] = [
            (kommoLeadForm(id: 1, name: "One", updatedAt: 100), form),
            (kommoLeadForm(id: 2, name: "Two", updatedAt: 100), form),
            (kommoLeadForm(action: "update", id: 1, name: "One later", updatedAt: 200), form),
            (kommoLeadForm(action: "update", id: 1, name: "One stale", updatedAt: 150), form),
            ("{\"leads\": ", "application/json"),
            (kommoLeadForm(id: 2, name: "Two", updatedAt: 100), form),
        ]

        let alone = Scratch("gc1")
        let single = try FastCGIFunction("kommo-webhook", in: alone)
        let connection = try FastCGIClient(socketPath: single.socketPath)
        var oneAtATime: [String] = []
        for request in requests {
            oneAtATime.append(try Self.comparable(connection.post("/kommo-webhook", body: request.body, contentType: request.contentType, keep: true)))
        }

        // Held write lock: the process stops at the first request's transaction while the others
        // arrive, and takes those together once the lock is free.
        let grouped = try FastCGIFunction("kommo-webhook", in: scratch, settings: patientSettings)
        try warmUp(grouped)
        let lockHolder = try scratch.database()
        try TestStore.holdWriteLock(lockHolder)
        var clients: [FastCGIClient] = []
        for request in requests {
            let client = try FastCGIClient(socketPath: grouped.socketPath)
            try client.send(Self.post(request.body, contentType: request.contentType))
            clients.append(client)
            // In this order. A blocking sleep: a suspended test could resume seconds later on a
            // busy test pool, and hold the lock past the requests' deadline.
            usleep(20_000)
        }
        try lockHolder.execute("COMMIT")
        let together = try clients.map { try Self.comparable($0.readAnswer()) }

        #expect(together == oneAtATime)
        let groups = try await groupSizes(in: grouped, requests: requests.count + 1)
        #expect(groups.max() ?? 0 >= 2, "requests that waited were committed together: \(groups)")
        let leads = "SELECT kommo_id, name, crm_updated_at FROM kommo_leads ORDER BY kommo_id"
        #expect(try scratch.database().query(leads).map(\.values) == alone.database().query(leads).map(\.values))
        let logs = "SELECT status, count(*) FROM kommo_webhook_logs WHERE event_type <> 'warm-up' GROUP BY status ORDER BY status"
        #expect(try scratch.database().query(logs).map(\.values) == alone.database().query(logs).map(\.values))
    }

    /// Eight senders on kept connections while the process is killed with SIGKILL, three times:
    /// every request answered 2xx has its log row. An answer sent before its group committed
    /// would be lost with the process.
    @Test func killNineLosesNothingThatWasAnswered() async throws {
        var answered: [String] = []
        for round in 0..<3 {
            let function = try FastCGIFunction("kommo-webhook", in: scratch)
            let senders = (0..<8).map { sender in Sender(socketPath: function.socketPath, firstLead: round * 1_000_000 + sender * 100_000) }
            for sender in senders { sender.start() }
            try await Task.sleep(for: .milliseconds(700))
            kill(function.process.processIdentifier, SIGKILL)
            _ = try await function.waitForExit()
            for sender in senders { answered += sender.finish() }
        }
        #expect(answered.count > 50, "the senders were answered before each kill (\(answered.count))")
        let stored = Set(try scratch.database().query("SELECT id FROM kommo_webhook_logs").compactMap { $0[0].text })
        let lost = answered.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "\(lost.count) of \(answered.count) answered requests have no log row")
    }

    /// With full durability a group's commit syncs the log after the write lock is released,
    /// and the group's answers wait for that sync: when an answer arrives, the log holds no page
    /// that is not on disk yet (Linux's `cachestat`). One sender, so no later group can have
    /// written meanwhile. Where the temporary folder is tmpfs there is no disk to reach.
    @Test(.enabled(if: page_cache_is_memory_only(FileManager.default.temporaryDirectory.path) == 0, "the temporary folder is on tmpfs"))
    func anAnswerArrivesOnlyOnceItsCommitIsOnDisk() throws {
        let function = try FastCGIFunction("kommo-webhook", in: scratch)
        let client = try FastCGIClient(socketPath: function.socketPath)
        var unwritten: [Int64] = []
        for lead in 1...30 {
            let answer = try client.post("/kommo-webhook", body: kommoLeadForm(id: lead, name: "Lead \(lead)"), keep: true)
            #expect(answer.output.status == 200)
            unwritten.append(page_cache_unwritten_pages(scratch.databasePath + "-wal"))
        }
        #expect(unwritten.allSatisfy { $0 == 0 }, "pages of the log not on disk when their answers arrived: \(unwritten)")
    }

    // MARK: Helpers

    private let form = "application/x-www-form-urlencoded"
    private let patientSettings = ["LEADWIRE_WEBHOOK_DEADLINE_MS": "20000", "LEADWIRE_BUSY_TIMEOUT_MS": "20000"]

    /// Opens the process's store before the lock is taken (opening needs it once).
    private func warmUp(_ function: FastCGIFunction) throws {
        let answer = try FastCGIClient(socketPath: function.socketPath).post("/kommo-webhook", body: "leads[add][0][id]=999&leads[add][0][name]=w")
        guard answer.output.status == 200 else { throw TestSetupError("warm-up: \(answer.output.status)") }
        try scratch.database().run("UPDATE kommo_webhook_logs SET event_type = 'warm-up'")
        try scratch.database().run("DELETE FROM kommo_leads")
    }

    private static func post(_ body: String, contentType: String) -> [UInt8] {
        let bytes = Array(body.utf8)
        return FastCGIClient.request(
            params: [
                ("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", "/kommo-webhook"), ("CONTENT_TYPE", contentType),
                ("CONTENT_LENGTH", String(bytes.count)), ("REMOTE_ADDR", "127.0.0.1"),
            ], body: bytes)
    }

    /// An answer's status and body without its log id (a new one per store).
    private static func comparable(_ answer: FastCGIClient.Answer) -> String {
        let body = answer.output.body.replacing(/"log_id":"[^"]*"/, with: "\"log_id\":\"…\"")
        return "\(answer.output.status) \(body)"
    }

    /// The `group` of each request line the process logged, once all `requests` are logged.
    private func groupSizes(in function: FastCGIFunction, requests: Int) async throws -> [Int] {
        var sizes: [Int] = []
        try await waitUntil("\(requests) request lines") {
            sizes = function.logText.split(separator: "\n").compactMap { line in
                guard line.contains("\"event\":\"request\""), let match = line.firstMatch(of: /"group":(\d+)/) else { return nil }
                return Int(match.1)
            }
            return sizes.count >= requests
        }
        return sizes
    }
}

/// One sender on its own thread and kept connection, posting new leads until the connection
/// breaks; it keeps the log id of every 200 answer.
private final class Sender: @unchecked Sendable {
    private let socketPath: String
    private let firstLead: Int
    private var answered: [String] = []
    private let done = DispatchSemaphore(value: 0)

    init(socketPath: String, firstLead: Int) {
        self.socketPath = socketPath
        self.firstLead = firstLead
    }

    func start() {
        Thread {
            defer { self.done.signal() }
            guard let client = try? FastCGIClient(socketPath: self.socketPath) else { return }
            for lead in self.firstLead... {
                guard let answer = try? client.post("/kommo-webhook", body: kommoLeadForm(id: lead, name: "Lead \(lead)"), keep: true),
                    answer.output.status == 200, let logID = answer.output.body.firstMatch(of: /"log_id":"([^"]+)"/)?.1
                else { return }
                self.answered.append(String(logID))
            }
        }.start()
    }

    /// The log ids answered, once the sender has stopped.
    func finish() -> [String] {
        done.wait()
        return answered
    }
}
