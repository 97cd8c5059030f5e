import Admin
import Foundation
import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

/// One person of the users listing: their record, consent per channel, their data, erasure.
@Suite struct PeopleTests {
    let admin = try! AdminFixture()
    let consentKey: String
    let eraseKey: String
    static let phone = "8019858999"
    static let email = "asha.rao@example.com"

    init() throws {
        let keys = ApiKeys(database: try admin.logs.database())
        consentKey = try keys.create(name: "front-desk", scopes: [.consentWrite])
        eraseKey = try keys.create(name: "dpo", scopes: [.peopleErase])
        admin.knowlarity.send(#"{"uuid":"call-1","customer_number":"+91\#(Self.phone)","call_duration":"60"}"#, contentType: "application/json")
        admin.knowlarity.send(#"{"uuid":"call-2","customer_number":"+919000000002"}"#, contentType: "application/json")
    }

    @discardableResult
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: String = "", key: String) -> Response {
        admin.export.send(body, contentType: body.isEmpty ? nil : "application/json", method: method, path: "/api/admin/users/" + path, headers: admin.bearer(key))
    }

    func listing(_ query: String) -> [Int64] {
        admin.export.send("", contentType: nil, method: .get, path: "/api/admin/users", query: query, headers: admin.bearer(admin.exporter))
            .json["users"]?.elements?.compactMap { $0["id"]?.int64 } ?? []
    }

    @Test func theRecordIsSeed004sUser() {
        let record = send(.get, "1", key: admin.exporter)
        #expect(record.status == .ok)
        let user = record.json["user"]
        #expect(user?["firstName"] == "Knowlarity")
        #expect(user?["lastName"] == .string("Lead \(Self.phone)"))
        #expect(user?["phone"] == .string(Self.phone))
        #expect(user?["optIns"]?["whatsapp"] == false)
        #expect(user?["tags"] == .array([]))
        #expect(user?["customFields"] == .object(JSONObject()))
        #expect(send(.get, "99", key: admin.exporter).status == .notFound)
    }

    @Test func consentIsRecordedAndWithdrawnWithWhoWhenAndWhere() {
        let given = send(.post, "1/consents", #"{"channel":"whatsapp","granted":true,"source":"signup form"}"#, key: consentKey)
        #expect(given.status == .created, "\(given.body)")
        #expect(given.json["user"]?["optIns"]?["whatsapp"] == true)
        #expect(listing("optedIn=whatsapp") == [1])
        #expect(listing("optedIn=telegram").isEmpty)

        let withdrawn = send(.post, "1/consents", #"{"channel":"whatsapp","granted":false,"source":"reply STOP"}"#, key: consentKey)
        #expect(withdrawn.json["user"]?["optIns"]?["whatsapp"] == false)
        #expect(listing("optedIn=whatsapp").isEmpty)
        let history = send(.get, "1", key: admin.exporter).json["consents"]?.elements ?? []
        #expect(history.map { $0["granted"] } == [true, false])
        #expect(history.map { $0["source"] } == ["signup form", "reply STOP"])
        #expect(history.allSatisfy { $0["recordedBy"] == "front-desk" && $0["recordedAt"]?.text?.isEmpty == false })

        // The export channel is the original guide's export consent.
        send(.post, "2/consents", #"{"channel":"export","granted":true,"source":"contract"}"#, key: consentKey)
        #expect(listing("exportConsentOnly=true") == [2])
    }

    @Test(arguments: [
        #"{"channel":"carrier-pigeon","granted":true,"source":"x"}"#, #"{"channel":"sms","granted":"yes","source":"x"}"#,
        #"{"channel":"sms","granted":true}"#, #"{"channel":"sms","granted":true,"source":""}"#, "[1]", "not json",
    ])
    func badConsentIsRefusedAndNothingIsStored(body: String) throws {
        let answer = send(.post, "1/consents", body, key: consentKey)
        #expect(answer.status == .badRequest, "\(answer.body)")
        #expect(try admin.logs.count("SELECT count(*) FROM consents") == 0)
    }

    /// The original export guide's receiver reads `data.user` (`firstName`, `phone`, `customFields.x`,
    /// `tags.map(...)`) on user.created and user.updated; both arrive in that shape.
    @Test func subscribersGetSeed004sUserEvents() throws {
        try admin.logs.database().run(
            "INSERT INTO webhook_subscriptions (id, name, url, events, secret_sealed) VALUES ('wh_users', 'crm', 'https://crm.example.com/hook', '[\"user.created\",\"user.updated\"]', ?)",
            [.blob([0])])
        admin.knowlarity.send(#"{"uuid":"call-9","customer_number":"+919000000009"}"#, contentType: "application/json")
        send(.post, "3/consents", #"{"channel":"sms","granted":true,"source":"call"}"#, key: consentKey)
        let events = try admin.logs.rows("SELECT payload FROM outbox WHERE subscription_id = 'wh_users' ORDER BY id")
            .compactMap { $0["payload"]?.text.flatMap { try? JSONValue(parsing: $0) } }
        #expect(events.map { $0["event"] } == ["user.created", "user.updated"])
        let created = try #require(events.first?["data"]?["user"])
        #expect(created["id"] == 3 && created["phone"] == "9000000009" && created["firstName"] == "Knowlarity")
        #expect(created["customFields"] == .object(JSONObject()) && created["tags"] == .array([]) && created["email"] == .null)
        #expect(events.last?["data"]?["changes"] == ["optIns.sms": ["old": false, "new": true]])
        #expect(events.last?["data"]?["user"]?["optIns"]?["sms"] == true)
    }

    @Test func eachActionNeedsItsOwnScope() {
        #expect(send(.post, "1/consents", #"{"channel":"sms","granted":true,"source":"x"}"#, key: admin.exporter).status == .forbidden)
        #expect(send(.post, "1/erase", "{}", key: consentKey).status == .forbidden)
        #expect(send(.post, "1/erase", "{}", key: admin.exporter).status == .forbidden)
        #expect(send(.get, "1", key: eraseKey).status == .forbidden)
        #expect(send(.post, "1/export", "{}", key: consentKey).status == .forbidden)
    }

    /// A person who arrived by Kommo, Knowlarity and amoCRM, with a subscriber listening: after
    /// erasure, and a VACUUM, neither their phone nor their email is anywhere in the store.
    @Test func erasureLeavesNoTraceOfThePhoneOrTheEmail() throws {
        let database = try admin.logs.database()
        try database.run(
            "INSERT INTO webhook_subscriptions (id, name, url, events, secret_sealed) VALUES ('wh_all', 'all', 'https://crm.example.com/hook', '[\"*\"]', ?)",
            [.blob([0])])
        // Kommo: the lead carries the phone and the email in its contact fields.
        admin.kommo.send(
            formBody([
                ("leads[add][0][id]", "7001"), ("leads[add][0][name]", "Asha Rao"), ("leads[add][0][custom_fields][0][name]", "Phone"),
                ("leads[add][0][custom_fields][0][values][0][value]", "+91" + Self.phone), ("leads[add][0][custom_fields][1][name]", "Email"),
                ("leads[add][0][custom_fields][1][values][0][value]", Self.email), ("leads[add][0][updated_at]", "100"),
            ]))
        // Knowlarity again, now with a subscriber: a second call from the same phone.
        admin.knowlarity.send(#"{"uuid":"call-3","customer_number":"0\#(Self.phone)"}"#, contentType: "application/json")
        // amoCRM: the won deal (a referral) carries the email.
        admin.amocrm.send(
            formBody([
                ("leads[status][0][id]", "9001"), ("leads[status][0][name]", "Asha Rao"), ("leads[status][0][status_id]", "142"),
                ("leads[status][0][pipeline_id]", "7"), ("leads[status][0][custom_fields][0][name]", "utm_source"),
                ("leads[status][0][custom_fields][0][values][0][value]", "ref_friend42"), ("leads[status][0][custom_fields][1][name]", "Email"),
                ("leads[status][0][custom_fields][1][values][0][value]", Self.email),
            ]))
        send(.post, "1/consents", #"{"channel":"sms","granted":true,"source":"call"}"#, key: consentKey)
        #expect(try traces(in: database) > 0, "the person is in the store before")

        // Their data first, as they may ask for it.
        let data = send(.post, "1/export", #"{"emails":["\#(Self.email)"]}"#, key: admin.exporter)
        #expect(data.status == .ok)
        let stored = data.json["stored"]
        #expect(stored?["knowlarity_calls"]?.elements?.count == 2)
        #expect(stored?["kommo_leads"]?.elements?.count == 1)
        #expect(stored?["referral_sales"]?.elements?.count == 1)
        #expect(stored?["consents"]?.elements?.count == 1)

        let erased = send(.post, "1/erase", #"{"emails":["\#(Self.email)"],"reason":"request by email, ticket 42"}"#, key: eraseKey)
        #expect(erased.status == .ok, "\(erased.body)")
        let counts = erased.json["erasure"]?["counts"]
        #expect(counts?["leads_master"] == 1)
        #expect(counts?["knowlarity_calls"] == 2)
        #expect(counts?["kommo_leads"] == 1)
        #expect(counts?["referral_sales"] == 1)
        #expect(send(.get, "1", key: admin.exporter).status == .notFound)

        // The sale stays in the books without the name; the other person is untouched.
        #expect(try admin.logs.rows("SELECT lead_name, amount FROM referral_sales").first?["lead_name"] == .null)
        #expect(send(.get, "2", key: admin.exporter).status == .ok)
        #expect(try admin.logs.count("SELECT count(*) FROM knowlarity_calls") == 1)
        // Who erased whom, and how much: the counts, never the data.
        let audit = try admin.logs.rows("SELECT lead_id, erased_by, reason, counts FROM erasures")
        #expect(audit.count == 1 && audit[0]["erased_by"] == "dpo" && audit[0]["lead_id"] == .integer(1))
        // Subscribers hear of it, by id alone.
        let deleted = try admin.logs.rows("SELECT payload FROM outbox WHERE payload LIKE '%user.deleted%'")
        #expect(deleted.count == 1)

        #expect(try traces(in: database) == 0, "the phone or the email is still in a table")
        if database.dialect == .sqlite {
            try database.execute("VACUUM")
            try database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            for path in [admin.logs.databasePath, admin.logs.databasePath + "-wal"] where FileManager.default.fileExists(atPath: path) {
                let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
                for needle in [Self.phone, Self.email] {
                    let found = contains(bytes, Array(needle.utf8))
                    #expect(!found, "\(needle) is still in \(path)")
                }
            }
        }
    }

    /// Rows of any table whose text holds the phone or the email.
    func traces(in database: Database) throws -> Int64 {
        let tables: [String] =
            database.dialect == .sqlite
            ? try database.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").compactMap { $0[0].text }
            : try database.query("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
                .compactMap { $0[0].text }
        var found: Int64 = 0
        for table in tables {
            let text =
                database.dialect == .sqlite
                ? try database.query("SELECT * FROM \(table)").map { row in row.values.map { "\($0)" }.joined(separator: " ") }.joined(separator: "\n")
                : try database.query("SELECT string_agg(t::text, E'\\n') FROM \(table) t").first?[0].text ?? ""
            for needle in [Self.phone, Self.email] where text.lowercased().contains(needle) { found += 1 }
        }
        return found
    }

    func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard haystack.count >= needle.count else { return false }
        return (0...(haystack.count - needle.count)).contains { start in haystack[start..<start + needle.count].elementsEqual(needle) }
    }
}
