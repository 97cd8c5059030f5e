import AmoCRM
import FunctionKit
import HTTPTypes
import TestSupport
import Testing

/// On PostgreSQL every round trip is latency a webhook pays. In a kept process (FastCGI), once
/// its statements are prepared, a won deal costs two: the sale's insert (whether it was new
/// decides the notice); the rest of the processing, the log row and COMMIT.
@Suite(.enabled(if: TestStore.isPostgres, "round trips are PostgreSQL's"))
struct AmoCRMRoundTripTests {
    let amo = HandlerFixture(
        path: "/webhook/amocrm", settings: TestSettings.openIntake.merging(["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"]) { $1 },
        handler: AmoCRMWebhook.handle)

    private func send(_ body: String, in process: FunctionContext) -> (outcome: String?, roundTrips: Int) {
        let before = process.resources.roundTrips
        let response = amo.send(body, in: process)
        #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
        return (response.json["deals"]?[0]?["outcome"]?.text, process.resources.roundTrips - before)
    }

    @Test func aWonDealCostsTwoRoundTrips() {
        let process = amo.keptProcess()
        // Statements are prepared the second time they run.
        for id in 1...2 { _ = send(wonDeal(id: id, utmSource: "ref_A\(id)"), in: process) }
        for id in 3...4 { _ = send(wonDeal(id: id, utmSource: "kenesary_fb"), in: process) }

        #expect(send(wonDeal(id: 10, utmSource: "ref_B"), in: process) == ("recorded", 2))
        #expect(send(wonDeal(id: 11, utmSource: "kenesary_fb"), in: process) == ("recorded", 2))  // and its Telegram notice
        #expect(send(wonDeal(id: 11, utmSource: "kenesary_fb"), in: process) == ("already_recorded", 2))
    }
}
