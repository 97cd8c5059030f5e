import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

/// On PostgreSQL every round trip to the server is latency a webhook pays inside Kommo's two
/// seconds. In a kept process (FastCGI), once its statements are prepared, a body costs two,
/// however many leads it names: their locks and stored versions; the writes, the log row and
/// COMMIT.
@Suite(.enabled(if: TestStore.isPostgres, "round trips are PostgreSQL's"))
struct KommoRoundTripTests {
    let kommo = KommoFixture()

    private func send(_ body: String, in process: FunctionContext) -> (outcome: String?, roundTrips: Int) {
        let before = process.resources.roundTrips
        let response = kommo.handler.send(body, in: process)
        #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
        return (response.json["results"]?[0]?["outcome"]?.text, process.resources.roundTrips - before)
    }

    private func update(_ id: Int, version: Int) -> String {
        kommoForm("update", ["id": String(id), "name": "Lead \(version)", "status_id": "142", "updated_at": String(version)])
    }

    @Test func aLeadEventCostsTwoRoundTrips() throws {
        let process = kommo.handler.keptProcess()
        // Statements are prepared the second time they run.
        for version in 1...2 { _ = send(update(1, version: version), in: process) }

        #expect(send(update(1, version: 3), in: process) == ("updated", 2))
        #expect(send(update(2, version: 1), in: process).roundTrips <= 3)  // a new lead: its INSERT is prepared now
        #expect(send(update(3, version: 1), in: process) == ("inserted", 2))
        #expect(send(update(3, version: 1), in: process) == ("duplicate", 2))
    }

    @Test func aBodyOfSeveralLeadsCostsTwoRoundTripsToo() throws {
        let process = kommo.handler.keptProcess()
        let body = { (version: Int) in
            (1...3).map { id in
                kommoForm("update", ["id": String(id), "name": "Lead \(version)", "updated_at": String(version)], index: id)
            }.joined(separator: "&")
        }
        for version in 1...2 { _ = send(body(version), in: process) }

        #expect(send(body(3), in: process) == ("updated", 2))
    }

    @Test func outboundEventsTravelWithTheWrite() throws {
        _ = try kommo.database().run(
            "INSERT INTO webhook_subscriptions (id, name, url, events, secret_sealed) VALUES ('sub_a', 'test', 'https://example.com/hook', '[\"*\"]', ?)",
            [.blob([0])])
        let process = kommo.handler.keptProcess()
        for version in 1...2 { _ = send(update(1, version: version), in: process) }

        #expect(send(update(1, version: 3), in: process) == ("updated", 2))
        #expect(try kommo.count("SELECT count(*) FROM outbox") == 3)
    }
}
