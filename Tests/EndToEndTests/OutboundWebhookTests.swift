import Admin
import Foundation
import LeadwireStore
import Testing

/// Outbound webhooks end to end: `runtime serve` (with its worker), the subscription API as
/// seed 004 calls it, every event kind, and a receiver on 127.0.0.1 that checks both
/// signatures with Python's hmac.
@Suite(.serialized) struct OutboundWebhookTests {
    let scratch = Scratch("outbound")
    static let secretKey = String(repeating: "5e", count: 32)

    private func start(_ extra: [String: String] = [:], arguments: [String] = []) async throws -> (ServerProcess, String, String) {
        let settings = [
            "LEADWIRE_SECRET_KEY": Self.secretKey, "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1", "LEADWIRE_WORKER_POLL_MS": "50",
            "LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*",
        ].merging(extra) { $1 }
        let database = try scratch.database()
        let key = try ApiKeys(database: database).create(name: "crm-sync", scopes: [.webhooksManage, .export])
        let (server, base) = try await startRuntime(in: scratch, settings: settings, arguments: arguments)
        return (server, base, key)
    }

    /// A `runtime worker` of its own on the test's store, for a server started with `--no-worker`.
    private func startWorker(_ extra: [String: String] = [:], log: String) throws -> ServerProcess {
        let environment = [
            "PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL, "LEADWIRE_SECRET_KEY": Self.secretKey,
            "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1", "LEADWIRE_WORKER_POLL_MS": "50",
        ].merging(extra) { $1 }
        return try ServerProcess(executable: try Products.url("runtime"), arguments: ["worker"], environment: environment, log: scratch.folder.appending(path: log))
    }

    private func json(_ result: HTTPResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any], "\(result.body)")
    }

    /// A subscription as the API shows it, once `condition` holds (the worker delivers apart;
    /// the bound is for safety on a busy machine, the wait ends as soon as it holds).
    private func webhook(_ base: String, key: String, _ id: String, until condition: ([String: Any]) -> Bool) async throws -> [String: Any] {
        let deadline = Date().addingTimeInterval(90)
        while true {
            let answer = try await http("GET", base + "/api/admin/webhooks/\(id)", headers: ["Authorization": "Bearer \(key)"])
            let state = try #require(try json(answer)["webhook"] as? [String: Any])
            if condition(state) || Date() > deadline { return state }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func subscribe(_ base: String, key: String, _ body: String) async throws -> (id: String, secret: String) {
        let created = try await http(
            "POST", base + "/api/admin/webhooks", body: body, headers: ["Authorization": "Bearer \(key)", "Content-Type": "application/json"])
        #expect(created.status == 201, "\(created.body)")
        let webhook = try #require(try json(created)["webhook"] as? [String: Any])
        return (try #require(webhook["id"] as? String), try #require(webhook["secret"] as? String))
    }

    @Test func seedExamplesAndEveryEventKindArriveWithValidSignatures() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start([
            "LEADWIRE_TELEGRAM_BOT_TOKEN": "123:abc", "LEADWIRE_TELEGRAM_CHAT_ID": "-100200", "LEADWIRE_TELEGRAM_API_BASE": receiver.base,
        ])
        let admin = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        // Seed 004's create body, with the receiver's URL and every event.
        let (id, secret) = try await subscribe(
            base, key: key,
            #"{"name":"My CRM Webhook","url":"\#(receiver.base)/ok","events":["*"],"description":"Sync leads to our CRM","retryAttempts":3,"retryDelay":60,"timeoutMs":10000}"#)
        #expect(secret.hasPrefix("whsec_"))
        try receiver.trust(["/ok": [secret]])

        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        func kommo(_ action: String, _ fields: String) async throws {
            let body = fields.split(separator: "&").map { "leads%5B\(action)%5D%5B0%5D" + $0 }.joined(separator: "&") + "&account%5Bid%5D=1"
            #expect(try await http("POST", base + "/kommo-webhook", body: body, headers: form).status == 200)
        }
        try await kommo("add", "%5Bid%5D=5&%5Bname%5D=Lead&%5Bstatus_id%5D=1&%5Bresponsible_user_id%5D=7&%5Bupdated_at%5D=100")
        try await kommo("status", "%5Bid%5D=5&%5Bname%5D=Lead&%5Bstatus_id%5D=2&%5Bresponsible_user_id%5D=8&%5Bupdated_at%5D=200&%5Btags%5D%5B0%5D%5Bname%5D=vip&%5Bcustom_fields%5D%5B0%5D%5Bid%5D=9&%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=x")
        try await kommo("update", "%5Bid%5D=5&%5Bname%5D=Lead&%5Bstatus_id%5D=2&%5Bresponsible_user_id%5D=8&%5Bupdated_at%5D=300&%5Bcustom_fields%5D%5B0%5D%5Bid%5D=9&%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=y")
        try await kommo("delete", "%5Bid%5D=5")
        try await kommo("restore", "%5Bid%5D=5&%5Bname%5D=Lead&%5Bupdated_at%5D=99999999999")
        #expect(try await http("POST", base + "/webhook/amocrm", body: amoWonDealForm(id: 77, utmSource: "kenesary_fb"), headers: form).status == 200)
        // A lead another source brought, then a Knowlarity call from its phone; then a new phone.
        let database = try scratch.database()
        _ = try database.run("INSERT INTO sources (display_name, source_type) VALUES ('Website', 'web')")
        _ = try database.run(
            "INSERT INTO leads_master (full_name, phone_number_normalized, source_id, status) VALUES ('Web', '8019858999', (SELECT id FROM sources WHERE display_name = 'Website'), 'New')")
        let jsonBody = ["Content-Type": "application/json"]
        #expect(try await http("POST", base + "/webhooks/knowlarity", body: knowlarityCallJSON(uuid: "c-1"), headers: jsonBody).status == 200)
        #expect(
            try await http("POST", base + "/webhooks/knowlarity", body: knowlarityCallJSON(uuid: "c-2", phone: "+919999912345"), headers: jsonBody).status == 200)
        #expect(try await http("GET", base + "/api/admin/export/kommo-leads/csv", headers: ["Authorization": "Bearer \(key)"]).status == 200)

        // Seed 004's test delivery answers with the receiver's verdict.
        let test = try await http("POST", base + "/api/admin/webhooks/\(id)/test", body: "", headers: admin)
        #expect(test.status == 200, "\(test.body)")
        #expect(try json(test)["success"] as? Bool == true)

        let kinds: Set = [
            "lead.created", "lead.updated", "lead.status_changed", "lead.responsible_changed", "lead.deleted", "lead.restored", "tag.added",
            "customfield.updated", "sale.recorded", "call.received", "lead.source_added", "export.completed", "webhook.test",
        ]
        let seen = try await receiver.wait(for: "every event kind") { Set($0.map(\.event)).isSuperset(of: kinds) }
        for delivery in seen where delivery.path == "/ok" {
            #expect(delivery.standardValidWith == [0], "\(delivery.event): webhook-signature")
            #expect(delivery.hexValid, "\(delivery.event): X-Webhook-Signature")
            #expect(delivery.body["event"] as? String == delivery.event)
            #expect(delivery.body["id"] as? String == delivery.webhookID)
        }
        let sale = try #require(seen.first { $0.event == "sale.recorded" })
        #expect(((sale.body["data"] as? [String: Any])?["sale"] as? [String: Any])?["routing_decision"] as? String == "traffic")

        // The traffic sale's Telegram notice: 429 with retry_after first, then sent.
        let telegram = try await receiver.wait(for: "the Telegram notice sent") { $0.contains { $0.path.hasPrefix("/bot123:abc/sendMessage") && $0.status == 200 } }
        let notice = try #require(telegram.last { $0.path.hasPrefix("/bot") })
        #expect(notice.body["chat_id"] as? String == "-100200")
        #expect((notice.body["text"] as? String)?.contains("Kenesary") == true)

        // GET shows the counters seed 004's SQL reads and the deliveries.
        let one = try json(try await http("GET", base + "/api/admin/webhooks/\(id)", headers: admin))
        let webhook = try #require(one["webhook"] as? [String: Any])
        #expect((webhook["successCount"] as? Int ?? 0) >= kinds.count)
        #expect(webhook["lastDeliveryStatus"] as? String == "success")
        #expect(webhook["secret"] == nil)
        let deliveries = try #require(webhook["deliveries"] as? [[String: Any]])
        #expect(!deliveries.isEmpty && deliveries.count <= 50)
        #expect(deliveries.first?["httpStatus"] as? Int == 200)
        #expect(try scratch.database().queryRow("SELECT secret_sealed FROM webhook_subscriptions")?[0].text == nil)

        // Rotation: both secrets sign for a while, so a receiver on either verifies.
        let rotated = try json(try await http("POST", base + "/api/admin/webhooks/\(id)/rotate-secret", body: "", headers: admin))
        let newSecret = try #require(rotated["secret"] as? String)
        try receiver.trust(["/ok": [newSecret, secret]])
        #expect(try await http("POST", base + "/api/admin/webhooks/\(id)/test", body: "", headers: admin).status == 200)
        let afterRotation = try #require(receiver.deliveries.last { $0.event == "webhook.test" })
        #expect(afterRotation.standardValidWith == [0, 1])
        #expect(afterRotation.hexValid)

        // PATCH, list, DELETE as seed 004 shows them.
        let patched = try await http("PATCH", base + "/api/admin/webhooks/\(id)", body: #"{"active":false,"events":["lead.created"]}"#, headers: admin)
        #expect(patched.status == 200)
        let list = try json(try await http("GET", base + "/api/admin/webhooks", headers: admin))
        #expect((list["webhooks"] as? [[String: Any]])?.first?["active"] as? Bool == false)
        #expect(try await http("DELETE", base + "/api/admin/webhooks/\(id)", headers: admin).status == 200)
        #expect(try await http("GET", base + "/api/admin/webhooks/\(id)", headers: admin).status == 404)
        withExtendedLifetime(server) {}
    }

    @Test func theReceiversAnswerDecidesRetriesAndDisabling() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start()
        let admin = ["Authorization": "Bearer \(key)", "Content-Type": "application/json"]
        let gone = try await subscribe(base, key: key, #"{"name":"gone","url":"\#(receiver.base)/gone","events":["lead.created"]}"#)
        let flaky = try await subscribe(base, key: key, #"{"name":"flaky","url":"\#(receiver.base)/flaky","events":["lead.created"],"retryDelay":1}"#)
        let slow = try await subscribe(
            base, key: key, #"{"name":"slow","url":"\#(receiver.base)/slow","events":["lead.created"],"timeoutMs":500,"retryAttempts":0}"#)
        try receiver.trust(["/gone": [gone.secret], "/flaky": [flaky.secret], "/slow": [slow.secret]])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 1, name: "Retry me")).status == 200)

        // 500, then success, with the same webhook-id both times.
        let flakyDeliveries = try await receiver.wait(for: "the flaky receiver's second try") { $0.filter { $0.path == "/flaky" }.count >= 2 }
            .filter { $0.path == "/flaky" }
        #expect(flakyDeliveries.map(\.status) == [500, 200])
        #expect(Set(flakyDeliveries.map(\.webhookID)).count == 1)

        // 410 Gone switches the subscription off at once.
        let goneState = try await webhook(base, key: key, gone.id) { $0["active"] as? Bool == false }
        #expect(goneState["active"] as? Bool == false)
        #expect((goneState["disabledReason"] as? String)?.contains("410") == true)

        // Past timeoutMs the attempt fails; with no retries left the message fails for good,
        // and a retry by hand queues it again.
        let slowState = try await webhook(base, key: key, slow.id) { ($0["deliveries"] as? [[String: Any]])?.isEmpty == false }
        let failed = try #require((slowState["deliveries"] as? [[String: Any]])?.first)
        #expect(failed["status"] as? String == "failed")
        #expect((failed["error"] as? String)?.contains("500 ms") == true, "\(failed)")
        #expect(failed["messageStatus"] as? String == "failed")
        let deliveryID = try #require(failed["id"] as? Int)
        let retried = try await http("POST", base + "/api/admin/webhooks/\(slow.id)/deliveries/\(deliveryID)/retry", body: "", headers: admin)
        #expect(retried.status == 200, "\(retried.body)")
        _ = try await receiver.wait(for: "the retried slow delivery") { $0.filter { $0.path == "/slow" }.count >= 2 }
        withExtendedLifetime(server) {}
    }

    /// A receiver that keeps failing is switched off after LEADWIRE_WEBHOOKS_DISABLE_AFTER_FAILURES
    /// attempts in a row (3 here), and a redirect counts as a failure: it is never followed.
    @Test func redirectsAreNotFollowedAndAReceiverThatKeepsFailingIsSwitchedOff() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(["LEADWIRE_WEBHOOKS_DISABLE_AFTER_FAILURES": "3"])
        let admin = ["Authorization": "Bearer \(key)"]
        let down = try await subscribe(
            base, key: key, #"{"name":"down","url":"\#(receiver.base)/down","events":["lead.created"],"retryAttempts":10,"retryDelay":1}"#)
        let moved = try await subscribe(base, key: key, #"{"name":"moved","url":"\#(receiver.base)/redirect","events":["lead.created"],"retryAttempts":0}"#)
        try receiver.trust(["/down": [down.secret], "/redirect": [moved.secret]])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 4, name: "Nobody home")).status == 200)

        let state = try await webhook(base, key: key, down.id) { $0["active"] as? Bool == false }
        #expect(state["active"] as? Bool == false, "still active after 90 s of failures: \(state)")
        #expect((state["disabledReason"] as? String)?.contains("3 failed attempts in a row") == true, "\(state)")
        #expect(receiver.deliveries.filter { $0.path == "/down" }.count == 3, "no attempt after it was switched off")

        let redirected = try await receiver.wait(for: "the redirect answered") { $0.contains { $0.path == "/redirect" } }
        let movedState = try #require(try json(try await http("GET", base + "/api/admin/webhooks/\(moved.id)", headers: admin))["webhook"] as? [String: Any])
        #expect(((movedState["deliveries"] as? [[String: Any]])?.first?["httpStatus"] as? Int) == 307, "\(movedState)")
        #expect(!redirected.contains { $0.path == "/ok" }, "the redirect was followed")
        withExtendedLifetime(server) {}
    }

    /// Against server-side request forgery the worker checks each address again as it sends
    /// (a name may resolve elsewhere by then): without LEADWIRE_WEBHOOKS_ALLOW_PRIVATE, a
    /// subscription on a loopback address gets nothing, and the attempt says why.
    @Test func theWorkerRefusesPrivateAddressesItself() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(arguments: ["--no-worker"])
        // A name, so the check is on the address it resolves to; https, so only the address is wrong.
        let url = receiver.base.replacingOccurrences(of: "http://127.0.0.1", with: "https://localhost") + "/ok"
        let hook = try await subscribe(base, key: key, #"{"name":"inside","url":"\#(url)","events":["lead.created"],"retryAttempts":0}"#)
        try receiver.trust(["/ok": [hook.secret]])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 5, name: "Inside")).status == 200)
        let settings = [
            "PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL,
            "LEADWIRE_SECRET_KEY": Self.secretKey,
        ]
        let (status, output) = try ServerProcess.runToEnd(try Products.url("runtime").path, ["worker", "--once"], environment: settings)
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""failed":1"#), "\(output)")
        #expect(receiver.deliveries.isEmpty, "a private address was reached")
        let error = try scratch.database().queryRow("SELECT error FROM webhook_deliveries")?[0].text ?? ""
        #expect(error.contains("127.0.0.1") || error.contains("::1"), "\(error)")
        withExtendedLifetime(server) {}
    }

    /// At least once: a worker killed mid-delivery leaves the message to another once its
    /// lease ends, and the receiver gets it again with the same webhook-id.
    @Test func aWorkerKilledMidDeliveryLeavesItsMessageToAnother() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let lease = ["LEADWIRE_WORKER_LEASE_SECONDS": "2"]
        let (server, base, key) = try await start(lease, arguments: ["--no-worker"])
        let hold = try await subscribe(base, key: key, #"{"name":"hold","url":"\#(receiver.base)/hold","events":["lead.created"]}"#)
        try receiver.trust(["/hold": [hold.secret]])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 2, name: "Once at least")).status == 200)

        let first = try startWorker(lease, log: "worker-1.log")
        let held = try await receiver.wait(for: "the held delivery") { $0.contains { $0.path == "/hold" } }
        kill(first.processIdentifier, SIGKILL)
        let second = try startWorker(lease, log: "worker-2.log")
        let again = try await receiver.wait(for: "the delivery after the lease") { $0.contains { $0.path == "/hold" && $0.status == 200 } }
        let delivered = try #require(again.first { $0.path == "/hold" && $0.status == 200 })
        #expect(delivered.webhookID == held.first { $0.path == "/hold" }?.webhookID)
        #expect(delivered.standardValidWith == [0])
        withExtendedLifetime((server, second)) {}
    }

    /// A store locked for longer than the busy timeout makes the worker's claims fail: it says
    /// so and tries again, and `runtime serve` (its HTTP server beside it) goes on; once the lock
    /// is gone the next event is delivered.
    @Test func aStoreLockedPastTheBusyTimeoutStopsNothing() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(["LEADWIRE_BUSY_TIMEOUT_MS": "200"])
        let hook = try await subscribe(base, key: key, #"{"name":"after","url":"\#(receiver.base)/ok","events":["lead.created"]}"#)
        try receiver.trust(["/ok": [hook.secret]])
        let lockHolder = try scratch.database()
        switch lockHolder.dialect {
        case .sqlite: try lockHolder.execute("BEGIN IMMEDIATE")
        case .postgres: try lockHolder.execute("BEGIN; LOCK TABLE outbox IN EXCLUSIVE MODE")
        }
        // The worker polls every 50 ms; each claim now fails after 200 ms, and says so.
        _ = try await server.waitForLog(containing: "worker_store_error", times: 2, seconds: 30)
        try lockHolder.execute("ROLLBACK")
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 1, name: "After the lock")).status == 200)
        let delivered = try await receiver.wait(for: "the delivery after the lock") { $0.contains { $0.path == "/ok" } }
        #expect(delivered.allSatisfy { $0.standardValidWith == [0] && $0.status == 200 })
        #expect(server.isRunning)
    }

    /// For cron: `--once` delivers what is due and exits 0; without the key that opens the
    /// subscriptions' secrets it refuses to start, saying why, and prints no secret.
    /// The worker keeps its connection to a receiver that allows it: thirty deliveries, two at
    /// a time, arrive on at most four connections, every one signed.
    @Test func deliveriesToOneReceiverShareKeptConnections() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(["LEADWIRE_WORKER_CONCURRENCY": "2"])
        let hook = try await subscribe(base, key: key, #"{"name":"kept","url":"\#(receiver.base)/ok","events":["lead.created"]}"#)
        try receiver.trust(["/ok": [hook.secret]])
        for id in 1...30 { #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: id, name: "Kept \(id)")).status == 200) }
        let deliveries = try await receiver.wait(for: "30 deliveries") { $0.count >= 30 }
        #expect(deliveries.allSatisfy { $0.standardValidWith == [0] && $0.status == 200 })
        let connections = Set(deliveries.map(\.port))
        #expect(connections.count <= 4, "30 deliveries came on \(connections.count) connections")
        withExtendedLifetime(server) {}
    }

    /// A receiver that holds a delivery holds up no other: while the worker waits on it (for
    /// up to its 30 s timeout), deliveries to another subscriber come due and go out.
    @Test func aReceiverThatHoldsADeliveryHoldsUpNoOther() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(["LEADWIRE_WORKER_CONCURRENCY": "4"])
        let hold = try await subscribe(base, key: key, #"{"name":"hold","url":"\#(receiver.base)/hold","events":["webhook.test"],"timeoutMs":30000}"#)
        let ok = try await subscribe(base, key: key, #"{"name":"ok","url":"\#(receiver.base)/ok","events":["lead.created"]}"#)
        try receiver.trust(["/hold": [hold.secret], "/ok": [ok.secret]])
        // The test call answers once the worker has a result; nothing here waits for it.
        let testCall = Task { try? await http("POST", base + "/api/admin/webhooks/\(hold.id)/test", headers: ["Authorization": "Bearer \(key)"]) }
        defer { testCall.cancel() }
        _ = try await receiver.wait(for: "the held delivery") { $0.contains { $0.path == "/hold" } }
        for id in 1...10 { #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: id, name: "Not held \(id)")).status == 200) }
        let arrived = try await receiver.wait(seconds: 25, for: "ten deliveries while one is held") { $0.count { $0.path == "/ok" } >= 10 }
        #expect(arrived.allSatisfy { $0.path == "/hold" || $0.standardValidWith == [0] })
        #expect(!arrived.contains { $0.path == "/hold" && $0.status == 200 }, "the held delivery had already ended")
        withExtendedLifetime(server) {}
    }

    /// SIGTERM stops a worker with a backlog once the deliveries in flight have their answers
    /// and are recorded; the rest wait in the outbox for the next worker.
    @Test func aStoppedWorkerFinishesWhatIsInFlightAndLeavesTheRest() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(arguments: ["--no-worker"])
        let slow = try await subscribe(base, key: key, #"{"name":"slow","url":"\#(receiver.base)/slow","events":["lead.created"]}"#)
        try receiver.trust(["/slow": [slow.secret]])
        for id in 1...10 { #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: id, name: "Backlog \(id)")).status == 200) }
        let worker = try startWorker(["LEADWIRE_WORKER_CONCURRENCY": "2"], log: "worker.log")
        // Each delivery to /slow takes 2 s: ten, two at a time, would take ten.
        _ = try await receiver.wait(for: "the first slow delivery") { $0.contains { $0.path == "/slow" } }
        kill(worker.processIdentifier, SIGTERM)
        let stopped = Date()
        #expect(try await worker.waitForExit(seconds: 30) == 0)
        let took = Date().timeIntervalSince(stopped)
        #expect(took < 6, "the worker went on with its backlog for \(took) s after SIGTERM")
        let answered = receiver.deliveries.filter { $0.path == "/slow" && $0.status == 200 }.count
        let database = try scratch.database()
        let delivered = try database.queryRow("SELECT count(*) FROM outbox WHERE status = 'delivered'")?[0].integer
        let pending = try database.queryRow("SELECT count(*) FROM outbox WHERE status = 'pending' AND attempts = 0")?[0].integer
        #expect(delivered == Int64(answered), "every answered delivery is recorded")
        #expect(delivered.map { $0 + (pending ?? 0) } == 10 && (pending ?? 0) >= 4, "delivered \(String(describing: delivered)), pending \(String(describing: pending))")
        withExtendedLifetime(server) {}
    }

    @Test func workerOnceDeliversAndExitsAndAMissingKeyStopsItAtStart() async throws {
        let receiver = try await WebhookReceiver(scratch: scratch)
        let (server, base, key) = try await start(arguments: ["--no-worker"])
        let hook = try await subscribe(base, key: key, #"{"name":"cron","url":"\#(receiver.base)/ok","events":["lead.created"]}"#)
        try receiver.trust(["/ok": [hook.secret]])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 3, name: "By cron")).status == 200)
        let settings = [
            "PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL, "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1",
            "LEADWIRE_TELEGRAM_BOT_TOKEN": "999:never-printed", "LEADWIRE_TELEGRAM_CHAT_ID": "1",
        ]
        let runtime = try Products.url("runtime").path
        let (refused, why) = try ServerProcess.runToEnd(runtime, ["worker", "--once"], environment: settings)
        #expect(refused != 0)
        #expect(why.contains("LEADWIRE_SECRET_KEY is not set"), "\(why)")
        let (status, output) = try ServerProcess.runToEnd(
            runtime, ["worker", "--once"], environment: settings.merging(["LEADWIRE_SECRET_KEY": Self.secretKey]) { $1 })
        #expect(status == 0, "\(output)")
        #expect(output.contains(#""event":"worker_drained","delivered":1"#), "\(output)")
        #expect(receiver.deliveries.contains { $0.event == "lead.created" && $0.standardValidWith == [0] })
        for text in [why, output] { #expect(!text.contains("never-printed") && !text.contains(Self.secretKey) && !text.contains("whsec_")) }
        withExtendedLifetime(server) {}
    }
}
