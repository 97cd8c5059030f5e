import Admin
import Foundation
import LeadwireStore
import Synchronization
import Testing

/// Every function behind every real host `runtime host-config` writes for: lighttpd, nginx and
/// Apache, each as CGI and as FastCGI, started from the generated configuration.
@Suite(.serialized) struct WebHostTests {
    let scratch = Scratch("host")

    @Test(arguments: WebHost.Kind.allCases)
    func inboundWebhooksAreStored(_ kind: WebHost.Kind) async throws {
        let host = try await WebHost(kind, scratch: scratch, settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let kommo = try await http(
            "POST", host.base + "/kommo-webhook", body: kommoLeadForm(id: 31, name: "Via \(kind.server)"),
            headers: form.merging(["User-Agent": "amoCRM-WebHook-client/1.0"]) { $1 })
        #expect(kommo.status == 200)
        #expect(kommo.headers["content-type"] == "application/json")
        let seed = try await http(
            "POST", host.base + "/functions/v1/kommo-webhook",
            body: #"{"leads":{"add":[{"id":999999,"name":"Test Lead","status_id":123,"pipeline_id":456}]}}"#,
            headers: ["Content-Type": "application/json"])
        #expect(seed.status == 200)
        // The seed's amoCRM webhook URL ends in a slash; the test URL is a subpath.
        let sale = try await http("POST", host.base + "/webhook/amocrm/", body: amoWonDealForm(id: 77, utmSource: "kenesary_fb"), headers: form)
        #expect(sale.body.contains(#""routing_decision":"traffic""#))
        let probe = try await http("GET", host.base + "/webhook/amocrm/test")
        #expect(probe.body.contains("Unified AmoCRM webhook endpoint is active"))
        let call = try await http(
            "POST", host.base + "/webhooks/knowlarity", body: knowlarityCallJSON(uuid: "host-1"), headers: ["Content-Type": "application/json"])
        #expect(call.status == 200)

        let database = try scratch.database()
        #expect(try database.query("SELECT name FROM kommo_leads ORDER BY kommo_id").map { $0[0].text } == ["Via \(kind.server)", "Test Lead"])
        #expect(try database.queryRow("SELECT targetologist FROM all_sales_tracking")?[0] == "Kenesary")
        #expect(try database.queryRow("SELECT count(*) FROM leads_master")?[0] == .integer(1))
    }

    @Test(arguments: WebHost.Kind.allCases)
    func adminRequestsCarryTheirAuthorizationAndExportsStream(_ kind: WebHost.Kind) async throws {
        let database = try scratch.database()
        try insertLeads(5_000, into: database)
        let key = try ApiKeys(database: database).create(name: "ops", scopes: [.logsRead, .export])
        let host = try await WebHost(kind, scratch: scratch)
        _ = try await http("POST", host.base + "/kommo-webhook", body: kommoLeadForm(id: 51, name: "Export me"))
        #expect(try await http("GET", host.base + "/api/admin/webhook-logs").status == 401)
        let authorized = ["Authorization": "Bearer \(key)"]
        let logs = try await http("GET", host.base + "/api/admin/webhook-logs?source=kommo", headers: authorized)
        #expect(logs.status == 200)
        #expect(logs.body.contains("Export me"))
        let csv = try await http("GET", host.base + "/api/admin/export/kommo-leads/csv?fields=kommo_id,name", headers: authorized)
        #expect(csv.body == "kommo_id,name\r\n51,Export me\r\n")
        let leads = try await http("GET", host.base + "/api/admin/export/leads/ndjson?fields=id", headers: authorized)
        #expect(leads.status == 200)
        #expect(leads.body.split(separator: "\n").count == 5_000)
    }

    @Test(arguments: WebHost.Kind.allCases)
    func settingsAndLimitsReachTheFunctions(_ kind: WebHost.Kind) async throws {
        let token = try scratch.secretFile("LEADWIRE_KOMMO_WEBHOOK_TOKEN", "from-config")
        let host = try await WebHost(kind, scratch: scratch, settings: token.merging(["LEADWIRE_MAX_BODY_BYTES": "2000"]) { $1 })
        let body = kommoLeadForm(id: 32, name: "Token")
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        #expect(try await http("POST", host.base + "/kommo-webhook", body: body, headers: form).status == 401)
        #expect(try await http("POST", host.base + "/kommo-webhook?token=from-config", body: body, headers: form).status == 200)
        let large = body + "&leads%5Badd%5D%5B0%5D%5Bnote%5D=" + String(repeating: "x", count: 3000)
        let refused = try await http("POST", host.base + "/kommo-webhook?token=from-config", body: large, headers: form)
        #expect(refused.status == 413)
        #expect(refused.body.contains("payload_too_large"))
        // Where the function answers it, its log row says what was refused; nginx and mod_cgid
        // refuse the body themselves before any function runs (README says so).
        let logged = try scratch.database().queryRow("SELECT error_message FROM kommo_webhook_logs WHERE raw_body IS NULL")
        if kind.refusesOversizeBodiesItself {
            #expect(logged == nil)
        } else {
            #expect(logged?[0].text?.contains(String(large.utf8.count)) == true, "\(String(describing: logged))")
        }
    }

    @Test(arguments: WebHost.Kind.allCases)
    func onlyTheRoutesAnswerAndHealthIsOne(_ kind: WebHost.Kind) async throws {
        let host = try await WebHost(kind, scratch: scratch)
        for path in ["/runtime", "/", "/kommo-webhook.sock", "/leadwire.sqlite3", "/etc/passwd", "/no-such-function"] {
            let response = try await http("GET", host.base + path)
            #expect(response.status == 404, "\(path) answered \(response.status)")
        }
        let health = try await http("GET", host.base + "/health")
        #expect(health.status == 200, "the health check behind \(kind)")
        #expect(health.body.contains(#""status":"ok""#))

        // The function's JSON log line is where deploy/ says it goes.
        let log = host.functionLog(of: "health")
        var text = ""
        for _ in 0..<50 {
            text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains(#""function":"health","event":"request""#) { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(text.contains(#""function":"health","event":"request""#), "\(kind): no request line in \(log.path)")
    }

    /// What the web server answers itself comes back in the functions' JSON error shape: a path
    /// no function serves, a POST without Content-Length (lighttpd refuses it with 411; the
    /// others hand it to the function), and a function whose processes are gone.
    @Test(arguments: WebHost.Kind.allCases)
    func theHostsOwnErrorsAreJSON(_ kind: WebHost.Kind) async throws {
        let host = try await WebHost(kind, scratch: scratch)
        let unknown = try await http("GET", host.base + "/no-such-function")
        #expect(unknown.status == 404)
        #expect(unknown.headers["content-type"]?.hasPrefix("application/json") == true, "\(kind): \(unknown.headers)")
        #expect(unknown.body.contains(#"{"error":{"code":"not_found""#), "\(kind): \(unknown.body)")

        let port = try #require(host.base.split(separator: ":").last.flatMap { Int($0) })
        let bare = try await onNewThread {
            let connection = try RawHTTPConnection(port: port)
            try connection.send(Array("POST /api/admin/webhook-logs/1/replay HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8))
            return try connection.readResponse(untilCloseWithoutLength: true)
        }
        #expect(bare.status == (kind.server == "lighttpd" ? 411 : 401), "\(kind): \(bare.status)")
        #expect(bare.headers["content-type"]?.hasPrefix("application/json") == true, "\(kind): \(bare.headers)")
        #expect(bare.text.hasPrefix(#"{"error":{"code":""#), "\(kind): \(bare.text)")

        // The pools nginx and Apache use are not restarted by the server: with them gone it answers itself.
        guard kind == .nginxFastCGI || kind == .apacheFastCGI else { return }
        for pid in host.fastCGIProcesses(of: "health") { kill(pid, SIGKILL) }
        var gone = try await http("GET", host.base + "/health")
        for _ in 0..<50 where gone.status == 200 {
            try await Task.sleep(for: .milliseconds(100))
            gone = try await http("GET", host.base + "/health")
        }
        #expect([502, 503].contains(gone.status), "\(kind): \(gone.status)")
        #expect(gone.headers["content-type"]?.hasPrefix("application/json") == true, "\(kind): \(gone.headers)")
        #expect(gone.body.hasPrefix(#"{"error":{"code":""#), "\(kind): \(gone.body)")
    }

    /// One request id ties the host's access log to the function's log line and the answer:
    /// a sender's own X-Request-Id is kept, and a request without one is given one.
    @Test(arguments: WebHost.Kind.allCases)
    func oneRequestIDInTheAnswerTheFunctionLogAndTheAccessLog(_ kind: WebHost.Kind) async throws {
        let host = try await WebHost(kind, scratch: scratch)
        let given = try await http("GET", host.base + "/health", headers: ["X-Request-Id": "sender-7f3a.1"])
        #expect(given.headers["x-request-id"] == "sender-7f3a.1")
        let made = try await http("GET", host.base + "/health?second")
        let id = try #require(made.headers["x-request-id"])
        #expect(id.count == 32 && id.allSatisfy(\.isHexDigit), "\(kind): \(id)")

        for (log, what) in [(host.functionLog(of: "health"), "function log"), (host.accessLog, "access log")] {
            // lighttpd flushes its access log every 4 seconds.
            var text = ""
            for _ in 0..<200 {
                text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                if text.contains(id) && text.contains("sender-7f3a.1") { break }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(text.contains(id) && text.contains("sender-7f3a.1"), "\(kind): the \(what) \(log.path) lacks the ids")
        }
        let line = try String(contentsOf: host.functionLog(of: "health"), encoding: .utf8).split(separator: "\n").first { $0.contains(id) }
        #expect(line?.contains(#""event":"request""#) == true && line?.contains(#""request_id":"\#(id)""#) == true)
    }

    /// The web server terminating TLS itself (a self-signed certificate): the same answers over https.
    @Test(arguments: [WebHost.Kind.lighttpdCGI, .nginxFastCGI, .apacheCGI])
    func theHostTerminatesTLS(_ kind: WebHost.Kind) async throws {
        let host = try await WebHost(kind, scratch: scratch, tls: true)
        let base = host.base
        #expect(base.hasPrefix("https://"))
        let stored = try await onNewThread { try WebHost.curlTLS(base + "/kommo-webhook", method: "POST", body: kommoLeadForm(id: 77, name: "Over TLS")) }
        #expect(stored.status == 200, "\(kind): \(stored.body)")
        #expect(try scratch.database().queryRow("SELECT name FROM kommo_leads WHERE kommo_id = 77")?[0] == "Over TLS")
        let health = try await onNewThread { try WebHost.curlTLS(base + "/health") }
        #expect(health.status == 200)
        withExtendedLifetime(host) {}
    }

    /// Behind a reverse proxy: its X-Forwarded-For names the sender, but only when it comes
    /// from a proxy the configuration trusts; from anyone else it is ignored.
    @Test(arguments: [WebHost.Kind.lighttpdCGI, .nginxFastCGI, .apacheCGI])
    func xForwardedForIsBelievedFromTrustedProxiesOnly(_ kind: WebHost.Kind) async throws {
        func senderSeen(trusting proxies: [String]) async throws -> String? {
            let scratch = Scratch("proxy")
            let host = try await WebHost(kind, scratch: scratch, serverArguments: proxies.flatMap { ["--trusted-proxy", $0] })
            let answer = try await http(
                "POST", host.base + "/kommo-webhook", body: kommoLeadForm(id: 5, name: "Proxied"),
                headers: ["Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": "203.0.113.7"])
            #expect(answer.status == 200)
            withExtendedLifetime(host) {}
            return try scratch.database().queryRow("SELECT remote_addr FROM kommo_webhook_logs")?[0].text
        }
        #expect(try await senderSeen(trusting: ["127.0.0.1"]) == "203.0.113.7", "\(kind) behind a trusted proxy")
        #expect(try await senderSeen(trusting: []) == "127.0.0.1", "\(kind) must not believe anyone's X-Forwarded-For")
    }

    /// Least privilege, as deployed: a host started as root runs the functions as `leadwire`,
    /// and each sees its own Leadwire settings only (kommo-webhook's token file, not amoCRM's
    /// settings), and nothing of the generating shell's environment nor of the server's: a
    /// token left exported in the shell that started the server reaches no function.
    @Test(.enabled(if: getuid() == 0, "needs root, as a host started at boot has"), arguments: WebHost.Kind.allCases.filter(\.isFastCGI))
    func functionsRunAsLeadwireWithOnlyTheirSettings(_ kind: WebHost.Kind) async throws {
        let token = try scratch.secretFile("LEADWIRE_KOMMO_WEBHOOK_TOKEN", "from-a-file")
        let host = try await WebHost(
            kind, scratch: scratch, settings: token.merging(["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"]) { $1 },
            serverEnvironment: ["LEADWIRE_KOMMO_WEBHOOK_TOKEN": "left-in-the-shell"])
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        let stored = try await http("POST", host.base + "/kommo-webhook?token=from-a-file", body: kommoLeadForm(id: 61, name: "Own"), headers: form)
        #expect(stored.status == 200, "\(kind): \(stored.body)")
        #expect(try await http("POST", host.base + "/kommo-webhook?token=left-in-the-shell", body: kommoLeadForm(id: 62, name: "Shell"), headers: form).status == 401)
        let leadwire = try #require(getpwnam("leadwire")).pointee.pw_uid
        let processes = host.fastCGIProcesses(of: "kommo-webhook")
        #expect(!processes.isEmpty)
        for pid in host.fastCGIProcesses(of: "amocrm-webhook") {
            let environment = try String(decoding: Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")), as: UTF8.self)
            #expect(environment.contains("LEADWIRE_AMOCRM_TARGETOLOGISTS=") && !environment.contains("LEADWIRE_KOMMO_WEBHOOK_TOKEN"), "\(kind): amocrm-webhook has \(environment)")
        }
        for pid in processes {
            let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
            let uids = status.split(separator: "\n").first { $0.hasPrefix("Uid:") }?.split(separator: "\t").dropFirst().compactMap { UInt32($0) }
            #expect(uids == [leadwire, leadwire, leadwire, leadwire], "\(kind): process \(pid) runs as \(uids ?? [])")
            let environment = try Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/environ")).split(separator: 0)
                .map { String(decoding: $0, as: UTF8.self) }
            #expect(environment.contains { $0.hasPrefix("LEADWIRE_DATABASE=") })
            #expect(environment.contains { $0.hasPrefix("LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE=") })
            #expect(!environment.contains { $0.hasPrefix("LEADWIRE_AMOCRM_") || $0.hasPrefix("LEADWIRE_KOMMO_WEBHOOK_TOKEN=") }, "\(kind): \(environment)")
            // lighttpd adds its FastCGI variable; the generated config fixes PATH rather than let it copy its own.
            let hostOwn: Set = ["PATH=/usr/bin:/bin", "PHP_FCGI_CHILDREN=1"]
            let foreign = environment.filter { !$0.hasPrefix("LEADWIRE_") && !(kind == .lighttpdFastCGI && hostOwn.contains($0)) }
            #expect(foreign.isEmpty, "\(kind): foreign variables \(foreign)")
        }
    }

    /// A FastCGI process killed under load: every acknowledged event is stored, and only the
    /// requests it had in flight fail, with the web server's own error (nginx 502, Apache 503;
    /// lighttpd answers 500 for a backend that died holding the request).
    @Test(arguments: WebHost.Kind.allCases.filter(\.isFastCGI))
    func aKilledFastCGIProcessLosesNoAcknowledgedEvent(_ kind: WebHost.Kind) async throws {
        let host = try await WebHost(kind, scratch: scratch, processes: 3)
        let victims = host.fastCGIProcesses(of: "kommo-webhook")
        #expect(victims.count >= 2)
        let port = Int(host.base.split(separator: ":").last!)!
        let next = Atomic<Int>(0)
        let outcomes = Mutex<(acknowledged: [Int], failed: [Int], notTheHosts: [String])>(([], [], []))
        let total = 400
        await onThreads(8) { client in
            while true {
                let index = next.add(1, ordering: .relaxed).oldValue
                guard index < total else { return }
                if index == total / 3, client >= 0, let victim = victims.first { kill(victim, SIGKILL) }
                let answer = try? RawHTTPConnection(port: port).exchange(
                    "POST", "/kommo-webhook", headers: ["Content-Type": "application/x-www-form-urlencoded"],
                    body: kommoLeadForm(id: 10_000 + index, name: "Load \(index)"))
                let status = answer?.status ?? 0
                // The web server's own error pages (`runtime host-config error-pages` and the configs):
                // "could not run the function", "failed to answer", "not running or all busy".
                let fromTheHost = [500, 502, 503].contains(status)
                    && ["The web server could not run the function", "The function process failed to answer", "The function processes are not running"]
                    .contains { answer?.text.contains($0) == true }
                outcomes.withLock {
                    if status == 200 {
                        $0.acknowledged.append(10_000 + index)
                    } else {
                        $0.failed.append(status)
                        if !fromTheHost { $0.notTheHosts.append("\(status) \(answer?.text ?? "no answer")") }
                    }
                }
            }
        }
        let result = outcomes.withLock { $0 }
        let stored = Set(try scratch.database().query("SELECT kommo_id FROM kommo_leads").compactMap { $0[0].integer.map(Int.init) })
        #expect(Set(result.acknowledged).isSubset(of: stored), "acknowledged but not stored")
        #expect(result.notTheHosts.isEmpty, "failures other than the web server's own error: \(result.notTheHosts)")
        #expect(result.failed.count <= 8, "more failures than requests in flight: \(result.failed.count)")
        print("\(kind): killed one of \(victims.count) processes under load: \(result.acknowledged.count) acknowledged and stored, \(result.failed.count) failed (\(result.failed))")
    }
}
