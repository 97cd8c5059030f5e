import Admin
import Crypto
import Foundation
import FunctionKit
import LeadwireStore
import TestSupport
import Testing

/// kommo-oauth and widget-request end to end: `runtime serve` (with its worker) running the
/// built functions, and Kommo stood in for on 127.0.0.1 (`KommoStandIn`).
@Suite(.serialized) struct KommoOAuthTests {
    let scratch = Scratch("kommo-oauth")
    static let secret = "integration-secret"

    private func start(_ kommo: KommoStandIn, _ extra: [String: String] = [:], arguments: [String] = []) async throws
        -> (ServerProcess, String, [String: String])
    {
        let settings = [
            "LEADWIRE_SECRET_KEY": String(repeating: "4b", count: 32), "LEADWIRE_KOMMO_CLIENT_ID": "client-1",
            "LEADWIRE_KOMMO_CLIENT_SECRET": Self.secret, "LEADWIRE_KOMMO_REDIRECT_URI": "https://leadwire.example/kommo-oauth?action=callback",
            "LEADWIRE_KOMMO_API_ORIGIN": kommo.base, "LEADWIRE_WORKER_POLL_MS": "50",
        ].merging(extra) { $1 }
        let key = try ApiKeys(database: scratch.database()).create(name: "crm", scopes: [.kommoAPI])
        let (server, base) = try await startRuntime(in: scratch, settings: settings, arguments: arguments)
        return (server, base, ["Authorization": "Bearer \(key)", "Content-Type": "application/json"])
    }

    private func json(_ result: HTTPResult) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(result.body.utf8)) as? [String: Any], "\(result.body)")
    }

    /// A state from authorize, which takes an admin key with the kommo:api scope.
    private func state(_ base: String, _ admin: [String: String]) async throws -> String {
        let location = try await http("GET", base + "/kommo-oauth?action=authorize", headers: admin).headers["location"] ?? ""
        return String(location.split(separator: "state=").last ?? "")
    }

    /// authorize, then Kommo's redirect back.
    private func connect(_ base: String, _ admin: [String: String]) async throws {
        let authorize = try await http("GET", base + "/kommo-oauth?action=authorize", headers: admin)
        #expect(authorize.status == 302)
        let location = try #require(authorize.headers["location"])
        #expect(location.hasPrefix("https://www.kommo.com/oauth?client_id=client-1&state="))
        let state = String(try #require(location.split(separator: "state=").last))
        let callback = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=\(state)&referer=acme.kommo.com&client_id=client-1")
        #expect(callback.status == 200, "\(callback.body)")
        // The state works once.
        let again = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=\(state)&referer=acme.kommo.com")
        #expect(again.status == 400)
        #expect(again.body.contains("invalid_state"))
    }

    @Test func connectCallTheAPIAndDisconnect() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo)
        try await connect(base, admin)

        // Tokens at rest are sealed: neither appears in the stored bytes (nor in the SQLite file).
        let stored = try scratch.database().query("SELECT access_token_sealed, refresh_token_sealed FROM oauth_tokens")
        #expect(stored.count == 1)
        for value in stored.first?.values ?? [] {
            guard case .blob(let sealed) = value else {
                Issue.record("a token column holds \(value), not sealed bytes")
                continue
            }
            #expect(Data(sealed).range(of: Data("refresh-1".utf8)) == nil)
        }
        if !TestStore.isPostgres {
            let file = try Data(contentsOf: URL(fileURLWithPath: scratch.databasePath))
            #expect(file.range(of: Data("refresh-1".utf8)) == nil)
        }

        let status = try await http("GET", base + "/kommo-oauth?action=status", headers: admin)
        #expect(status.status == 200)
        #expect(status.body.contains(#""account_id":29085730"#) && status.body.contains(#""status":"connected""#))
        #expect(!status.body.contains("refresh-1"))
        #expect(try await http("GET", base + "/kommo-oauth?action=status").status == 401)

        // Seed 000's proxy body, with its apikey header; then the next page, which is Kommo's 204.
        let seedHeaders = ["apikey": String(admin["Authorization"]!.dropFirst(7)), "Content-Type": "application/json"]
        let leads = try await http("POST", base + "/functions/v1/kommo-oauth?action=api-request", body: #"{"endpoint":"/api/v4/leads","method":"GET"}"#, headers: seedHeaders)
        #expect(leads.status == 200, "\(leads.body)")
        let answer = try json(leads)
        #expect(answer["next"] as? String == "/api/v4/leads?page=2&limit=1")
        let next = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"endpoint":"/api/v4/leads?page=2&limit=1"}"#, headers: admin)
        #expect(next.status == 200)
        #expect(try json(next)["data"] is NSNull)

        // A 429 is waited out once.
        try kommo.throttle(1)
        let throttled = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"endpoint":"/api/v4/leads"}"#, headers: admin)
        #expect(throttled.status == 200, "\(throttled.body)")

        // Only /api/v4/ paths, never the token endpoint.
        for endpoint in ["/oauth2/access_token", "/api/v4/../oauth2/access_token", "https://evil.example/api/v4/leads"] {
            let refused = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"endpoint":"\#(endpoint)"}"#, headers: admin)
            #expect(refused.status == 400, "\(endpoint): \(refused.body)")
        }

        let disconnect = try await http("POST", base + "/kommo-oauth?action=disconnect", body: #"{"account":"acme"}"#, headers: admin)
        #expect(disconnect.status == 200)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM oauth_tokens")?[0] == .integer(0))
        _ = server
    }

    @Test func anExpiredTokenIsRefreshedOnceByConcurrentCallsAndARefusedRefreshAsksToReconnect() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        // --cgi: a process per request (up to LEADWIRE_MAX_CHILDREN, eight on two cores), so the
        // eight callers below are eight kommo-oauth processes at once, not a pool of two.
        let (server, base, admin) = try await start(kommo, arguments: ["--cgi"])
        try await connect(base, admin)
        let database = try scratch.database()
        _ = try database.run("UPDATE oauth_tokens SET expires_at = '2020-01-01T00:00:00.000Z'")

        // Eight callers at once find the token expired: one refreshes, the rest wait and read it.
        let port = try #require(Int(base.split(separator: ":").last ?? ""))
        let runs = await atOnce(8) { _ in
            try RawHTTPConnection(port: port).exchange("POST", "/kommo-oauth?action=api-request", headers: admin, body: #"{"endpoint":"/api/v4/leads"}"#).status
        }
        #expect(runs.peakOverlap() >= 4, "the callers did not overlap")
        #expect(runs.map { (try? $0.result.get()) ?? 0 } == Array(repeating: 200, count: 8))
        #expect(kommo.refreshes == 1)

        // Kommo refuses the refresh token (revoked): the connection says so, and calls say how to fix it.
        try kommo.revokeRefreshTokens()
        _ = try database.run("UPDATE oauth_tokens SET expires_at = '2020-01-01T00:00:00.000Z'")
        let refused = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"endpoint":"/api/v4/leads"}"#, headers: admin)
        #expect(refused.status == 409, "\(refused.body)")
        #expect(refused.body.contains("needs_reauthorization"))
        let status = try await http("GET", base + "/kommo-oauth?action=status", headers: admin)
        #expect(status.body.contains(#""status":"needs_reauthorization""#), "\(status.body)")
        _ = server
    }

    /// LEADWIRE_KOMMO_API_RATE_LIMIT holds across processes: eight kommo-oauth processes calling
    /// at once, at 2 calls a second, reach Kommo spread over time; a call that would wait past
    /// two seconds is a 429 naming the setting.
    @Test func theKommoRateLimitHoldsAcrossProcesses() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo, ["LEADWIRE_KOMMO_API_RATE_LIMIT": "2"], arguments: ["--cgi"])
        try await connect(base, admin)
        let port = try #require(Int(base.split(separator: ":").last ?? ""))
        let runs = await atOnce(8) { _ in
            try RawHTTPConnection(port: port).exchange("POST", "/kommo-oauth?action=api-request", headers: admin, body: #"{"endpoint":"/api/v4/leads"}"#)
        }
        #expect(runs.peakOverlap() >= 4, "the callers did not overlap")
        let answers = runs.compactMap { try? $0.result.get() }
        #expect(answers.count == 8)
        for answer in answers where answer.status != 200 {
            #expect(answer.status == 429 && answer.text.contains("LEADWIRE_KOMMO_API_RATE_LIMIT"), "\(answer.status) \(answer.text)")
        }
        let calls = kommo.requests.filter { $0["path"] as? String == "/api/v4/leads" }
        #expect(calls.count == answers.filter { $0.status == 200 }.count, "every call Kommo saw was answered 200, and only those")
        // The limit counts calls by the clock second in which they are let through, and each
        // reaches Kommo a little later, so a second of Kommo's may see more than two. What holds:
        // c calls need c/2 seconds of their own, so the first and the last are let through at
        // least c/2 - 2 seconds apart, and reach Kommo so, less the spread of the sends (0.5 s).
        let times = calls.compactMap { $0["at"] as? Double }.sorted()
        let span = (times.last ?? 0) - (times.first ?? 0)
        #expect(span >= Double((calls.count + 1) / 2 - 2) - 0.5, "\(calls.count) calls reached Kommo within \(span) s at 2 a second")
        _ = server
    }

    @Test func badCallbacksAndForgedDisabledHooksStoreNothing() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo)
        let state = { () async throws -> String in try await self.state(base, admin) }
        let foreign = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=\(try await state())&referer=evil.example.com")
        #expect(foreign.status == 400)
        #expect(foreign.body.contains("invalid_referer"))
        let wrongState = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=made-up&referer=acme.kommo.com")
        #expect(wrongState.status == 400)
        let badCode = try await http("GET", base + "/kommo-oauth?action=callback&code=stale&state=\(try await state())&referer=acme.kommo.com")
        #expect(badCode.status == 400)
        #expect(badCode.body.contains("code_refused"))
        let declined = try await http("GET", base + "/kommo-oauth?action=callback&error=access_denied&state=x")
        #expect(declined.status == 403)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM oauth_tokens")?[0] == .integer(0))

        // The disabled hook: a forged signature is 401; Kommo's own deletes the account's tokens.
        try await connect(base, admin)
        let forged = try await http("GET", base + "/kommo-oauth?action=disabled&client_uuid=client-1&account_id=29085730&signature=00ff")
        #expect(forged.status == 401)
        let signature = HMAC<SHA256>.authenticationCode(for: Data("client-1|29085730".utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
            .map { String(format: "%02x", $0) }.joined()
        let disabled = try await http("GET", base + "/kommo-oauth?action=disabled&client_uuid=client-1&account_id=29085730&signature=\(signature)")
        #expect(disabled.status == 200, "\(disabled.body)")
        #expect(try scratch.database().queryRow("SELECT count(*) FROM oauth_tokens")?[0] == .integer(0))
        _ = server
    }

    /// Seed 002's curl example with a real signed token: answered at once, then the worker
    /// resumes the bot at return_url with the account's token.
    /// Only an admin starts a connection, and with LEADWIRE_KOMMO_ALLOWED_ACCOUNTS only a listed
    /// account finishes one; Kommo's code from a widget installation (no state) is taken only
    /// for a listed account.
    @Test func onlyTheOwnerConnectsAnAccount() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo, ["LEADWIRE_KOMMO_ALLOWED_ACCOUNTS": "other-agency, 1234"])
        let anonymous = try await http("GET", base + "/kommo-oauth?action=authorize")
        #expect(anonymous.status == 401)
        #expect(anonymous.headers["location"] == nil)
        let logsOnly = try ApiKeys(database: scratch.database()).create(name: "reader", scopes: [.logsRead])
        #expect(try await http("GET", base + "/kommo-oauth?action=authorize", headers: ["Authorization": "Bearer \(logsOnly)"]).status == 403)

        // acme (account 29085730) is not listed: Kommo's code is traded, but nothing is kept.
        let unlisted = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=\(try await state(base, admin))&referer=acme.kommo.com")
        #expect(unlisted.status == 403, "\(unlisted.body)")
        #expect(unlisted.body.contains("account_not_allowed"))
        let widgetCode = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&referer=acme.kommo.com&from_widget=1")
        #expect(widgetCode.status == 403)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM oauth_tokens")?[0] == .integer(0))
        _ = server
    }

    @Test func aCodeFromAWidgetInstallationConnectsAListedAccount() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo, ["LEADWIRE_KOMMO_ALLOWED_ACCOUNTS": "acme"])
        let noState = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&referer=acme.kommo.com")
        #expect(noState.status == 400)
        let installed = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&referer=acme.kommo.com&from_widget=1")
        #expect(installed.status == 200, "\(installed.body)")
        #expect(try await http("GET", base + "/kommo-oauth?action=status", headers: admin).body.contains(#""account_id":29085730"#))
        _ = server
    }

    /// `acme` names both acme.kommo.com and acme.amocrm.ru: a call naming `acme` must not reach
    /// either by chance. It is a 409 that lists them; the id or the host picks one.
    @Test func aSubdomainThatNamesTwoAccountsIsAConflict() async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo)
        try await connect(base, admin)
        _ = try scratch.database().run(
            """
            INSERT INTO oauth_tokens (account_id, subdomain, base_domain, access_token_sealed, refresh_token_sealed, expires_at)
            SELECT 42, subdomain, 'acme.amocrm.ru', access_token_sealed, refresh_token_sealed, expires_at FROM oauth_tokens
            """)
        let ambiguous = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"account":"acme","endpoint":"/api/v4/leads"}"#, headers: admin)
        #expect(ambiguous.status == 409, "\(ambiguous.body)")
        #expect(ambiguous.body.contains("acme.kommo.com (29085730)") && ambiguous.body.contains("acme.amocrm.ru (42)"))
        let unnamed = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"endpoint":"/api/v4/leads"}"#, headers: admin)
        #expect(unnamed.status == 409)
        for name in ["acme.kommo.com", "29085730"] {
            let chosen = try await http("POST", base + "/kommo-oauth?action=api-request", body: #"{"account":"\#(name)","endpoint":"/api/v4/leads"}"#, headers: admin)
            #expect(chosen.status == 200, "\(name): \(chosen.body)")
        }
        _ = server
    }

    @Test(arguments: [("", "Thank you!"), ("/responder", "Reply to: Hello, can you help me?"), ("/responder-broken", "Thank you!")])
    func aWidgetRequestIsAnsweredAtOnceAndTheBotResumed(responder: String, expected: String) async throws {
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo, responder.isEmpty ? [:] : ["LEADWIRE_WIDGET_RESPONDER_URL": kommo.base + responder])
        try await connect(base, admin)
        let body = widgetRequest(returnURL: "https://acme.kommo.com/api/v4/salesbot/321/continue/77")
        let answer = try await http("POST", base + "/api/kommo/kommo/widget-request", body: body, headers: ["Content-Type": "application/json"])
        #expect(answer.status == 200)
        #expect(answer.body == #"{"status":"ok"}"#)
        let deadline = Date().addingTimeInterval(20)
        while kommo.continued.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let continued = try #require(kommo.continued.first)
        #expect(continued["path"] as? String == "/api/v4/salesbot/321/continue/77")
        let handlers = (continued["body"] as? [String: Any])?["execute_handlers"] as? [[String: Any]]
        let shown = (handlers?.first?["params"] as? [String: Any])?["value"] as? String ?? ""
        #expect(shown.hasPrefix(expected), "\(continued)")
        _ = server
    }

    /// The whole loop a Kommo account runs: the step the widget archive's script saves, filled in
    /// as Kommo fills its placeholders and posted with a signed token, is accepted; the bot
    /// resumes with data whose status is the one the step's condition takes as success.
    @Test func theWidgetArchivesStepIsAcceptedAndLeavesBySuccess() async throws {
        let step = try WidgetArchiveRun(in: scratch).widgetRequestHandler()
        #expect(URL(string: step.url)?.path == "/widget-request")
        let kommo = try await KommoStandIn(scratch: scratch)
        let (server, base, admin) = try await start(kommo)
        try await connect(base, admin)
        let filled = step.data.mapValues { value -> Any in
            switch value as? String {
            case "{{message_text}}": "Do you deliver on Sundays?"
            case "{{lead.id}}": "67890"
            case "{{contact.name}}": "Asha"
            default: value
            }
        }
        let data = String(decoding: try JSONSerialization.data(withJSONObject: filled), as: UTF8.self)
        // Kommo posts to the step's URL; here that path on the local runtime.
        let answer = try await http(
            "POST", base + URL(string: step.url)!.path, body: widgetRequest(returnURL: "https://acme.kommo.com/api/v4/salesbot/5/continue/6", data: data),
            headers: ["Content-Type": "application/json"])
        #expect(answer.status == 200, "\(answer.body)")
        let deadline = Date().addingTimeInterval(20)
        while kommo.continued.isEmpty && Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        let continued = try #require(kommo.continued.first)
        #expect(((continued["body"] as? [String: Any])?["data"] as? [String: Any])?["status"] as? String == "ok")
        _ = server
    }

    private func widgetRequest(
        returnURL: String, data: String = #"{"message":"Hello, can you help me?","from":"widget","chat_id":"12345","lead_id":"67890"}"#
    ) -> String {
        func part(_ value: [String: Any]) -> String {
            Base64.encodeURL(Array(try! JSONSerialization.data(withJSONObject: value)))
        }
        let input = part(["alg": "HS512", "typ": "JWT"]) + "." + part([
            "account_id": KommoStandIn.accountID, "subdomain": "acme", "client_uuid": "client-1", "entity_id": 9, "entity_type": 2,
            "exp": Int(Date().timeIntervalSince1970) + 600,
        ])
        let mac = HMAC<SHA512>.authenticationCode(for: Data(input.utf8), using: SymmetricKey(data: Data(Self.secret.utf8)))
        let token = input + "." + Base64.encodeURL(Array(mac))
        return #"{"token":"\#(token)","data":\#(data),"return_url":"\#(returnURL)"}"#
    }
}
