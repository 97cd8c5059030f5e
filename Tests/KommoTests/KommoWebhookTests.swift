import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

@Suite struct KommoLeadEventTests {
    let kommo = KommoFixture()
    let account: Int64 = 29_085_730

    @Test func addStoresEveryDocumentedColumn() throws {
        let response = kommo.post(
            kommoForm(
                "add",
                [
                    "id": "25399013", "name": "Website order", "status_id": "20756554", "pipeline_id": "10418746",
                    "responsible_user_id": "8731", "price": "150000", "created_at": "1744532875", "updated_at": "1744532875",
                ]))
        #expect(response.status == .ok)
        #expect(response.json["status"] == "success")
        #expect(response.json["results"]?[0]?["outcome"] == "inserted")
        let lead = try #require(try kommo.lead(25_399_013, account: account))
        #expect(lead["name"] == "Website order")
        #expect(lead["status_id"] == .integer(20_756_554))
        #expect(lead["pipeline_id"] == .integer(10_418_746))
        #expect(lead["responsible_user_id"] == .integer(8731))
        #expect(lead["price"] == .real(150_000))
        #expect(lead["event_type"] == "created")
        #expect(lead["is_deleted"] == .integer(0))
        #expect(lead["crm_updated_at"] == .integer(1_744_532_875))
        #expect(lead["account_subdomain"] == "acme")
        let raw = try JSONValue(parsing: try #require(lead["raw_data"]?.text))
        #expect(raw["name"] == "Website order")
    }

    @Test(arguments: [
        ("update", "updated"), ("status", "status_changed"), ("responsible", "responsible_changed"), ("restore", "restored"),
    ])
    func eachEventKindRecordsItsEventType(action: String, eventType: String) throws {
        kommo.post(kommoForm("add", ["id": "7", "name": "A", "status_id": "1", "updated_at": "100"]))
        let response = kommo.post(kommoForm(action, ["id": "7", "name": "A2", "status_id": "2", "old_status_id": "1", "updated_at": "200"]))
        #expect(response.json["results"]?[0]?["outcome"] == "updated")
        let lead = try #require(try kommo.lead(7, account: account))
        #expect(lead["event_type"] == .text(eventType))
        #expect(lead["name"] == "A2")
        #expect(lead["status_id"] == .integer(2))
    }

    /// `curl -d '{…}'` labels JSON as form fields, the most common first mistake: the answer
    /// says what to send instead, and the body is kept with the refusal, not taken as nothing.
    @Test func jsonSentAsAFormIsRefusedWithTheWayOut() throws {
        let answer = kommo.post(#"{"leads":{"add":[{"id":999999,"name":"Test Lead"}]}}"#)
        #expect(answer.status == .unsupportedMediaType)
        #expect(answer.json["error"]?["code"] == "json_sent_as_form")
        #expect(answer.json["error"]?["message"]?.text?.contains("Content-Type: application/json") == true)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 0)
        #expect(try kommo.count("SELECT count(*) FROM kommo_webhook_logs WHERE status = 'error' AND raw_body LIKE '{\"leads\"%'") == 1)
    }

    @Test func deleteKeepsTheLeadAndMarksItDeleted() throws {
        kommo.post(kommoForm("add", ["id": "9", "name": "Keep me", "status_id": "1", "pipeline_id": "5", "updated_at": "100"]))
        let response = kommo.post(kommoForm("delete", ["id": "9", "status_id": "143", "pipeline_id": "5"]))
        #expect(response.json["results"]?[0]?["outcome"] == "updated")
        let lead = try #require(try kommo.lead(9, account: account))
        #expect(lead["is_deleted"] == .integer(1))
        #expect(lead["event_type"] == "deleted")
        #expect(lead["name"] == "Keep me")
        #expect(lead["status_id"] == .integer(143))
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads WHERE is_deleted = false") == 0)
    }

    @Test func deleteOfAnUnknownLeadStillRecordsIt() throws {
        kommo.post(kommoForm("delete", ["id": "404", "status_id": "143", "pipeline_id": "5"]))
        let lead = try #require(try kommo.lead(404, account: account))
        #expect(lead["is_deleted"] == .integer(1))
    }

    @Test func restoreAfterDeleteBringsTheLeadBack() throws {
        kommo.post(kommoForm("add", ["id": "11", "name": "Back", "updated_at": "100"]))
        kommo.post(kommoForm("delete", ["id": "11"]))
        let restoredAt = String(Timestamp.now().secondsSince1970 + 5)
        kommo.post(kommoForm("restore", ["id": "11", "name": "Back", "updated_at": restoredAt]))
        let lead = try #require(try kommo.lead(11, account: account))
        #expect(lead["is_deleted"] == .integer(0))
        #expect(lead["event_type"] == "restored")
    }

    @Test func severalLeadsAndEventsInOneBodyAreAllApplied() throws {
        let body = [
            kommoForm("add", ["id": "1", "name": "One"], index: 0, account: nil),
            kommoForm("add", ["id": "2", "name": "Two"], index: 1, account: nil),
            kommoForm("status", ["id": "3", "name": "Three", "status_id": "142"], index: 0),
        ].joined(separator: "&")
        let response = kommo.post(body)
        #expect(response.json["results"]?.elements?.count == 3)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 3)
        #expect(try kommo.lastLog()["event_type"] == "leads.add,leads.status")
    }

    @Test func accountsAreKeptApart() throws {
        kommo.post(kommoForm("add", ["id": "5", "name": "In A"], account: (1, "a")))
        kommo.post(kommoForm("add", ["id": "5", "name": "In B"], account: (2, "b")))
        #expect(try kommo.lead(5, account: 1)?["name"] == "In A")
        #expect(try kommo.lead(5, account: 2)?["name"] == "In B")
    }

    @Test func theSeedCurlExampleWorksAsWritten() throws {
        // seed 000, "Test manually": JSON, numbers as numbers, no account block.
        let response = kommo.post(
            #"{"leads":{"add":[{"id":999999,"name":"Test Lead","status_id":123,"pipeline_id":456}]}}"#, contentType: "application/json")
        #expect(response.status == .ok)
        let lead = try #require(try kommo.lead(999_999))
        #expect(lead["name"] == "Test Lead")
        #expect(lead["status_id"] == .integer(123))
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads WHERE is_deleted = false AND pipeline_id = 456") == 1)
    }

    @Test func otherEntitiesAndUnknownActionsAreLoggedNotFailed() throws {
        let body = "contacts[add][0][id]=1&contacts[add][0][type]=contact&leads[note][0][note][text]=hi&account[id]=1"
        let response = kommo.post(body)
        #expect(response.status == .ok)
        #expect(response.json["status"] == "success")
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 0)
        let log = try kommo.lastLog()
        #expect(log["event_type"] == "leads.note,contacts.add")
        #expect(log["results"]?.text?.contains("ignored") == true)
    }

    /// A lead's write that the store refuses undoes the body's processing, not the event: the
    /// sender gets its 200 (a 5xx would get the hook switched off), and the log keeps the body
    /// and the reason for a replay. On PostgreSQL the refused write is the last of the
    /// processing, sent with COMMIT, so this is the path where the whole transaction is redone.
    @Test func aWriteTheStoreRefusesKeepsTheEventForAReplay() throws {
        kommo.post(kommoForm("add", ["id": "8", "name": "Before", "updated_at": "100"]))
        try TestStore.refuseUpdates(of: "kommo_leads", saying: "leads unavailable", in: try kommo.database())
        let response = kommo.post(kommoForm("update", ["id": "8", "name": "After", "updated_at": "200"]))
        #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
        #expect(try kommo.lead(8, account: account)?["name"] == "Before")
        let log = try kommo.lastLog()
        #expect(log["status"] == "error")
        #expect(log["error_message"]?.text?.contains("leads unavailable") == true, "\(log)")
        #expect(log["payload"]?.text?.contains("After") == true)
    }
}

@Suite struct KommoIdempotencyAndOrderTests {
    let kommo = KommoFixture()

    @Test func aDuplicateDeliveryChangesNothing() throws {
        let body = kommoForm("update", ["id": "21", "name": "Same", "status_id": "3", "updated_at": "500"])
        kommo.post(body)
        let before = try kommo.database().queryRow("SELECT updated_at, raw_data FROM kommo_leads")
        let second = kommo.post(body)
        #expect(second.json["results"]?[0]?["outcome"] == "duplicate")
        let after = try kommo.database().queryRow("SELECT updated_at, raw_data FROM kommo_leads")
        #expect(before == after)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 1)
        // Both deliveries are in the log: it records what arrived.
        #expect(try kommo.count("SELECT count(*) FROM kommo_webhook_logs") == 2)
    }

    @Test func anOlderUpdateArrivingLateDoesNotOverwriteANewerOne() throws {
        kommo.post(kommoForm("update", ["id": "22", "name": "New name", "status_id": "142", "updated_at": "2000"]))
        let late = kommo.post(kommoForm("update", ["id": "22", "name": "Old name", "status_id": "1", "updated_at": "1000"]))
        #expect(late.json["results"]?[0]?["outcome"] == "stale")
        let lead = try #require(try kommo.lead(22, account: 29_085_730))
        #expect(lead["name"] == "New name")
        #expect(lead["status_id"] == .integer(142))
    }

    @Test func legacyLastModifiedOrdersUpdatesToo() throws {
        kommo.post(kommoForm("update", ["id": "23", "name": "B", "last_modified": "2000"]))
        kommo.post(kommoForm("update", ["id": "23", "name": "A", "last_modified": "1999"]))
        #expect(try kommo.lead(23, account: 29_085_730)?["name"] == "B")
    }

    @Test func aLateRetryOfAnOldUpdateCannotUndoADelete() throws {
        kommo.post(kommoForm("add", ["id": "24", "name": "X", "updated_at": "1000"]))
        kommo.post(kommoForm("delete", ["id": "24"]))
        let late = kommo.post(kommoForm("update", ["id": "24", "name": "X edited", "updated_at": "1001"]))
        #expect(late.json["results"]?[0]?["outcome"] == "stale")
        #expect(try kommo.lead(24, account: 29_085_730)?["is_deleted"] == .integer(1))
        #expect(kommo.post(kommoForm("delete", ["id": "24"])).json["results"]?[0]?["outcome"] == "duplicate")
    }

    @Test func aDifferentEventAtTheSameSecondIsApplied() throws {
        // Kommo's updated_at has one-second resolution, so an add and a robot's update of the
        // same lead can carry the same timestamp.
        kommo.post(kommoForm("add", ["id": "25", "name": "A", "status_id": "1", "updated_at": "3000"]))
        let update = kommo.post(kommoForm("status", ["id": "25", "name": "A", "status_id": "2", "updated_at": "3000"]))
        #expect(update.json["results"]?[0]?["outcome"] == "updated")
        #expect(try kommo.lead(25, account: 29_085_730)?["status_id"] == .integer(2))
    }

    @Test func aLeadNamedTwiceInOneBodyIsWrittenTwiceInOrder() throws {
        let body = [
            kommoForm("add", ["id": "26", "name": "First", "updated_at": "1000"]),
            kommoForm("update", ["id": "26", "name": "Second", "updated_at": "1001"], account: nil),
        ].joined(separator: "&")
        let response = kommo.post(body)
        #expect(response.json["results"]?.elements?.compactMap { $0["outcome"]?.text } == ["inserted", "updated"])
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 1)
        #expect(try kommo.lead(26, account: 29_085_730)?["name"] == "Second")
    }

    @Test func aLeadAdoptedByAnAccountIsReadAgainByTheBodysNextEvent() throws {
        kommo.post(kommoForm("add", ["id": "27", "name": "No account", "updated_at": "1000"], account: nil))
        // The first event's account adopts the row stored under account 0; the second, without
        // an account, then finds no row under 0 and must store its own.
        let body = [
            kommoForm("update", ["id": "27", "name": "Adopted", "account_id": "5", "updated_at": "2000"], account: nil),
            kommoForm("update", ["id": "27", "name": "Still no account", "updated_at": "3000"], index: 1, account: nil),
        ].joined(separator: "&")
        let response = kommo.post(body)
        #expect(response.json["results"]?.elements?.compactMap { $0["outcome"]?.text } == ["updated", "inserted"])
        #expect(try kommo.lead(27, account: 5)?["name"] == "Adopted")
        #expect(try kommo.lead(27, account: 0)?["name"] == "Still no account")
    }
}

@Suite struct KommoBadInputTests {
    let kommo = KommoFixture()

    @Test func brokenJSONIsRefusedWith400AndKeptRaw() throws {
        let response = kommo.post(#"{"leads":{"add":[{"id":1"#, contentType: "application/json")
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["code"] == "invalid_json")
        let log = try kommo.lastLog()
        #expect(log["status"] == "error")
        #expect(log["raw_body"] == #"{"leads":{"add":[{"id":1"#)
        #expect(log["error_message"]?.text?.hasPrefix("invalid_json") == true)
    }

    @Test func anUnsupportedMediaTypeIsRefusedWith415AndKeptRaw() throws {
        let response = kommo.post("<lead id='1'/>", contentType: "text/xml")
        #expect(response.status == .unsupportedMediaType)
        #expect(try kommo.lastLog()["raw_body"] == "<lead id='1'/>")
        #expect(try kommo.lastLog()["content_type"] == "text/xml")
    }

    @Test func anOversizeBodyIsRefusedWith413AndTheRefusalLogged() throws {
        let response = kommo.post("", bodyLimitExceeded: BodyLimitExceeded(length: 5_000_000, limit: 1_048_576))
        #expect(response.status == .contentTooLarge)
        let log = try kommo.lastLog()
        #expect(log["error_message"]?.text?.contains("5000000") == true)
        #expect(log["raw_body"] == .null)
    }

    /// More form fields than LEADWIRE_MAX_FORM_KEYS: a 400 that names the setting, nothing
    /// stored, and the log row keeps the raw body for a replay once the limit is raised.
    @Test func aFormPastTheLimitsIs400NamingTheSettingAndItsBodyIsLogged() throws {
        var kommo = KommoFixture()
        kommo.environment["LEADWIRE_MAX_FORM_KEYS"] = "10"
        let body = (0..<20).map { "leads%5Badd%5D%5B\($0)%5D%5Bid%5D=\($0 + 1)" }.joined(separator: "&")
        let response = kommo.post(body)
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["code"] == "form_too_complex")
        #expect(response.json["error"]?["message"]?.text?.contains("LEADWIRE_MAX_FORM_KEYS") == true)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 0)
        let log = try kommo.lastLog()
        #expect(log["status"] == "error")
        #expect(log["raw_body"] == .text(body))
        #expect(log["error_message"]?.text?.hasPrefix("form_too_complex") == true)
    }

    @Test func aLeadWithoutAnIdIsReportedWhileTheOthersAreStored() throws {
        let body = [
            kommoForm("add", ["name": "No id"], index: 0, account: nil),
            kommoForm("add", ["id": "31", "name": "Fine"], index: 1),
        ].joined(separator: "&")
        let response = kommo.post(body)
        #expect(response.status == .ok)
        #expect(response.json["status"] == "partial")
        #expect(try kommo.lead(31, account: 29_085_730)?["name"] == "Fine")
        let log = try kommo.lastLog()
        #expect(log["status"] == "partial")
        #expect(log["error_message"] == "the lead has no numeric id")
    }

    @Test func contentThatCannotBeProcessedIsStoredAnd200() throws {
        let response = kommo.post(#"{"leads":{"add":["not an object"]}}"#, contentType: "application/json")
        #expect(response.status == .ok)
        #expect(response.json["status"] == "error")
        let log = try kommo.lastLog()
        #expect(log["status"] == "error")
        #expect(try JSONValue(parsing: log["payload"]?.text ?? "") == JSONValue(parsing: #"{"leads":{"add":["not an object"]}}"#))
    }

    @Test func getIsRefusedWith405() {
        let response = kommo.post("", method: .get)
        #expect(response.status == .methodNotAllowed)
        #expect(response.headers[.allow] == "POST")
    }

    @Test func anUnreachableStoreAnswers503SoTheSenderRetries() {
        var broken = kommo
        broken.environment["LEADWIRE_DATABASE"] = "/nonexistent-folder/leadwire.sqlite3"
        // On PostgreSQL: a port nothing listens on.
        if broken.environment["LEADWIRE_DATABASE_URL"] != nil { broken.environment["LEADWIRE_DATABASE_URL"] = "postgres://leadwire@127.0.0.1:1/leadwire" }
        let response = broken.post(kommoForm("add", ["id": "1"]))
        #expect(response.status == .serviceUnavailable)
        #expect(response.json["error"]?["code"] == "store_unavailable")
        #expect(response.headers[.retryAfter] == "1")
    }
}

@Suite struct KommoTokenTests {
    let kommo = KommoFixture(token: "s3cret-token")
    let body = kommoForm("add", ["id": "41", "name": "Auth"])

    @Test func withoutTheTokenNothingIsStored() throws {
        #expect(kommo.post(body).status == .unauthorized)
        #expect(kommo.post(body, query: "token=wrong").status == .unauthorized)
        #expect(kommo.post(body, headers: [("X-Webhook-Token", "s3cret-tokem")]).status == .unauthorized)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 0)
    }

    @Test func theTokenIsAcceptedInTheQueryOrAHeader() throws {
        #expect(kommo.post(body, query: "token=s3cret-token").status == .ok)
        #expect(kommo.post(body, headers: [("X-Webhook-Token", "s3cret-token")]).status == .ok)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 1)
    }
}
