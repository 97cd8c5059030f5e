import Foundation
import LeadwireStore
import TestSupport
import Testing

/// What an endpoint on the open internet does with a stranger's request, on the built
/// executables run as a CGI host runs them: nothing writes for an unauthenticated sender unless
/// the operator opened it by name, and no value in a request ends the process.
@Suite struct SafeToExposeTests {
    let scratch = Scratch("exposed")

    struct Webhook: Sendable, CustomTestStringConvertible {
        let function: String
        let path: String
        let contentType: String
        let body: String
        let token: String
        let opening: String
        var testDescription: String { function }
    }

    static let webhooks = [
        Webhook(
            function: "kommo-webhook", path: "/kommo-webhook", contentType: "application/x-www-form-urlencoded",
            body: kommoLeadForm(id: 7, name: "Stranger"), token: "LEADWIRE_KOMMO_WEBHOOK_TOKEN", opening: "LEADWIRE_KOMMO_WEBHOOK_AUTH"),
        Webhook(
            function: "amocrm-webhook", path: "/webhook/amocrm", contentType: "application/x-www-form-urlencoded",
            body: kommoLeadForm(action: "status", id: 8, name: "Forged sale") + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=utm_source"
                + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=ref_X",
            token: "LEADWIRE_AMOCRM_WEBHOOK_TOKEN", opening: "LEADWIRE_AMOCRM_WEBHOOK_AUTH"),
        Webhook(
            function: "knowlarity-webhook", path: "/webhooks/knowlarity", contentType: "application/json", body: knowlarityCallJSON(uuid: "x1"),
            token: "LEADWIRE_KNOWLARITY_WEBHOOK_TOKEN", opening: "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH"),
    ]

    func cgi(
        _ function: String, path: String, method: String = "POST", query: String = "", contentType: String?, body: String,
        settings: [String: String] = [:]
    ) throws -> CGIResult {
        var environment = scratch.storeSettings.merging([
            "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": method, "SCRIPT_NAME": path, "PATH_INFO": "", "QUERY_STRING": query,
            "REMOTE_ADDR": "203.0.113.9", "CONTENT_LENGTH": String(body.utf8.count),
        ]) { $1 }.merging(settings) { $1 }
        environment["CONTENT_TYPE"] = contentType
        return try runCGI(function, environment: environment, stdin: Data(body.utf8))
    }

    func storedRows() throws -> Int64 {
        try scratch.database().queryRow(
            "SELECT (SELECT count(*) FROM inbound_logs) + (SELECT count(*) FROM kommo_leads) + (SELECT count(*) FROM referral_sales) + (SELECT count(*) FROM knowlarity_calls)"
        )?[0].integer ?? -1
    }

    @Test(arguments: webhooks)
    func aWebhookWithNoAuthenticationRefusesAndStoresNothingUntilOpenedByName(webhook: Webhook) throws {
        let refused = try cgi(webhook.function, path: webhook.path, contentType: webhook.contentType, body: webhook.body)
        #expect(refused.status == 401, "\(refused.body)")
        #expect(refused.body.contains("intake_closed") && refused.body.contains(webhook.token) && refused.body.contains("\(webhook.opening)=none"))
        #expect(try storedRows() == 0)

        let opened = try cgi(webhook.function, path: webhook.path, contentType: webhook.contentType, body: webhook.body, settings: [webhook.opening: "none"])
        #expect(opened.status == 200, "\(opened.body)")
        #expect(try scratch.database().queryRow("SELECT count(*) FROM inbound_logs")?[0] == .integer(1))

        let mistyped = try cgi(webhook.function, path: webhook.path, contentType: webhook.contentType, body: webhook.body, settings: [webhook.opening: "off"])
        #expect(mistyped.status == 500)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM inbound_logs")?[0] == .integer(1))
    }

    /// amoCRM's largest number as a won deal's modification time used to trap (exit 132) and
    /// lose the delivery. Now the deal is a logged error that keeps the body for a replay.
    @Test func anOverflowingWonDealIsAnsweredAndKept() throws {
        let body = kommoLeadForm(action: "status", id: 9, name: "Overflow").replacingOccurrences(of: "1744532875", with: "9223372036854775807")
            + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=utm_source"
            + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=ref_X"
        #expect(body.contains("9223372036854775807"))
        let answer = try cgi(
            "amocrm-webhook", path: "/webhook/amocrm", contentType: "application/x-www-form-urlencoded", body: body,
            settings: ["LEADWIRE_AMOCRM_WEBHOOK_AUTH": "none"])
        #expect(answer.status == 200, "\(answer.body)")
        let log = try #require(try scratch.database().queryRow("SELECT processing_status, error_message, deal_data FROM webhook_logs"))
        #expect(log[0] == "error")
        #expect(log[1].text?.contains("updated_at 9223372036854775807") == true)
        #expect(log[2].text?.contains("9223372036854775807") == true)
        #expect(try scratch.database().queryRow("SELECT count(*) FROM referral_sales")?[0] == .integer(0))
    }

    /// With a signing secret, the signature covers the body; a GET hook has none, so one
    /// observed signature would let any call through in a query string.
    @Test func aGetHookIsRefusedWhileSigningIsOn() throws {
        let answer = try cgi(
            "knowlarity-webhook", path: "/webhooks/knowlarity", method: "GET", query: "uuid=g1&customer_number=%2B918019858999",
            contentType: nil, body: "", settings: ["LEADWIRE_KNOWLARITY_SIGNING_SECRET": "whsec-1"])
        #expect(answer.status == 401)
        #expect(answer.body.contains("signature_required"))
        #expect(try storedRows() == 0)
    }

    /// Anyone can send widget-request a body; a refused one is logged by its size and reason,
    /// so a stranger cannot fill the disk with them.
    @Test func aRefusedWidgetRequestKeepsItsSizeNotItsBody() throws {
        let body = #"{"token":"a.b.c","data":{"filler":"\#(String(repeating: "z", count: 5000))"}}"#
        let answer = try cgi(
            "widget-request", path: "/widget-request", contentType: "application/json", body: body,
            settings: ["LEADWIRE_KOMMO_CLIENT_SECRET": "integration-secret"])
        #expect(answer.status == 401)
        let log = try #require(try scratch.database().queryRow("SELECT deal_data, error_message FROM webhook_logs WHERE source = 'widget'"))
        let kept = try #require(log[0].text)
        #expect(!kept.contains("zzzz"))
        // As stored: PostgreSQL's jsonb gives it back with its own spacing.
        let refused = try #require(try JSONSerialization.jsonObject(with: Data(kept.utf8)) as? [String: Any])
        #expect(refused["refused_bytes"] as? Int == body.utf8.count)
        #expect(log[1].text?.hasPrefix("invalid_token") == true)
    }

    @Test func aNewDatabaseIsTheOwnersAlone() throws {
        guard !TestStore.isPostgres else { return }
        _ = try cgi("health", path: "/health", method: "GET", contentType: nil, body: "")
        for suffix in ["", "-wal", "-shm"] {
            let mode = try #require(try FileManager.default.attributesOfItem(atPath: scratch.databasePath + suffix)[.posixPermissions] as? Int)
            #expect(mode & 0o077 == 0, "\(scratch.databasePath + suffix) has mode \(String(mode, radix: 8))")
        }
    }
}
