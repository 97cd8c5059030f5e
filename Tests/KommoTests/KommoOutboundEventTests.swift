import FunctionKit
import LeadwireStore
import TestSupport
import Testing

/// Lead changes become outbound events for the subscriptions that asked for them, in the same
/// transaction as the change; a duplicate or stale delivery emits nothing.
@Suite struct KommoOutboundEventTests {
    let kommo = KommoFixture()

    private func subscribe(_ events: [String], id: String = "sub_a") throws {
        let list = JSONValue.array(events.map { .string($0) }).jsonText
        _ = try kommo.database().run(
            "INSERT INTO webhook_subscriptions (id, name, url, events, secret_sealed) VALUES (?, 'test', 'https://example.com/hook', ?, ?)",
            [.text(id), .text(list), .blob([0])])
    }

    /// The queued events, oldest first: (type, payload).
    private func queued() throws -> [(type: String, payload: JSONValue)] {
        try kommo.database().query("SELECT payload FROM outbox WHERE topic = 'webhook' ORDER BY id").map {
            let payload = try JSONValue(parsing: $0[0].text ?? "")
            return (payload["event"]?.text ?? "", payload)
        }
    }

    @Test func aNewLeadIsLeadCreatedAndItsDuplicateEmitsNothing() throws {
        try subscribe(["*"])
        let add = kommoForm("add", ["id": "7", "name": "Website order", "status_id": "142", "updated_at": "100"])
        kommo.post(add)
        kommo.post(add)
        let events = try queued()
        #expect(events.map(\.type) == ["lead.created"])
        let payload = try #require(events.first?.payload)
        #expect(payload["data"]?["lead"]?["kommo_id"] == .number("7"))
        #expect(payload["data"]?["lead"]?["name"] == "Website order")
        #expect(payload["metadata"]?["source"] == "kommo-webhook")
        #expect(payload["id"]?.text?.hasPrefix("msg_") == true)
        #expect(payload["timestamp"]?.text?.hasSuffix("Z") == true)
    }

    @Test func aStatusChangeCarriesItsOldAndNewValues() throws {
        try subscribe(["lead.updated", "lead.status_changed", "lead.responsible_changed"])
        kommo.post(kommoForm("add", ["id": "7", "name": "A", "status_id": "1", "responsible_user_id": "5", "updated_at": "100"]))
        kommo.post(kommoForm("status", ["id": "7", "name": "A", "status_id": "2", "responsible_user_id": "5", "updated_at": "200"]))
        // A late retry of the older version is stale: nothing more.
        kommo.post(kommoForm("update", ["id": "7", "name": "A", "status_id": "1", "responsible_user_id": "5", "updated_at": "100"]))
        let events = try queued()
        #expect(events.map(\.type) == ["lead.updated", "lead.status_changed"])
        let changes = events[1].payload["data"]?["changes"]
        #expect(changes?["status_id"]?["old"] == .number("1"))
        #expect(changes?["status_id"]?["new"] == .number("2"))
        #expect(changes?["name"] == nil)
    }

    @Test func deleteAndRestoreAreTheirOwnEvents() throws {
        try subscribe(["lead.deleted", "lead.restored"])
        kommo.post(kommoForm("add", ["id": "9", "name": "A", "updated_at": "100"]))
        kommo.post(kommoForm("delete", ["id": "9"]))
        kommo.post(kommoForm("restore", ["id": "9", "name": "A", "updated_at": "999999999999"]))
        #expect(try queued().map(\.type) == ["lead.deleted", "lead.restored"])
    }

    /// A one-lead form whose fields may be nested: `("[tags][0][name]", "vip")`.
    private func nestedForm(_ action: String, _ fields: [(String, String)]) -> String {
        formBody(fields.map { ("leads[\(action)][0]" + $0.0, $0.1) } + [("account[id]", "29085730")])
    }

    @Test func tagsAddedAndRemovedAreEventsPerTag() throws {
        try subscribe(["tag.added", "tag.removed"])
        let lead = [("[id]", "3"), ("[name]", "A")]
        kommo.post(nestedForm("add", lead + [("[updated_at]", "100"), ("[tags][0][name]", "vip")]))
        kommo.post(nestedForm("update", lead + [("[updated_at]", "200"), ("[tags][0][name]", "vip"), ("[tags][1][name]", "hot")]))
        kommo.post(nestedForm("update", lead + [("[updated_at]", "300"), ("[tags][0][name]", "hot")]))
        // A status change that leaves tags out removes none.
        kommo.post(kommoForm("status", ["id": "3", "name": "A", "status_id": "4", "updated_at": "400"]))
        let events = try queued()
        #expect(events.map(\.type) == ["tag.added", "tag.removed"])
        #expect(events.map { $0.payload["data"]?["tag"]?.text } == ["hot", "vip"])
    }

    @Test func aCustomFieldChangeNamesTheField() throws {
        try subscribe(["customfield.updated"])
        func fields(_ value: String) -> [(String, String)] {
            [("[id]", "4"), ("[name]", "A"), ("[custom_fields][0][id]", "55"), ("[custom_fields][0][name]", "utm_source"),
             ("[custom_fields][0][values][0][value]", value)]
        }
        kommo.post(nestedForm("add", fields("fb") + [("[updated_at]", "100")]))
        kommo.post(nestedForm("update", fields("google") + [("[updated_at]", "200")]))
        kommo.post(nestedForm("update", fields("google") + [("[updated_at]", "300"), ("[price]", "5")]))
        let events = try queued()
        // The new lead is lead.created only; the price change leaves the field alone.
        #expect(events.map(\.type) == ["customfield.updated"])
        let change = events.first?.payload["data"]?["field"]
        #expect(change?["name"] == "utm_source")
        #expect(change?["old"]?[0]?["value"] == "fb")
        #expect(change?["new"]?[0]?["value"] == "google")
    }

    @Test func withoutSubscriptionsOrForAnotherEventNothingIsQueued() throws {
        kommo.post(kommoForm("add", ["id": "1", "name": "A", "updated_at": "100"]))
        try subscribe(["sale.recorded"])
        kommo.post(kommoForm("add", ["id": "2", "name": "B", "updated_at": "100"]))
        #expect(try kommo.count("SELECT count(*) FROM outbox") == 0)
    }

    @Test func everySubscriberGetsTheSameEventID() throws {
        try subscribe(["lead.created"], id: "sub_a")
        try subscribe(["*"], id: "sub_b")
        kommo.post(kommoForm("add", ["id": "1", "name": "A", "updated_at": "100"]))
        let rows = try kommo.database().query("SELECT subscription_id, event_id FROM outbox ORDER BY subscription_id")
        #expect(rows.map { $0[0].text } == ["sub_a", "sub_b"])
        #expect(rows[0][1] == rows[1][1])
    }
}
