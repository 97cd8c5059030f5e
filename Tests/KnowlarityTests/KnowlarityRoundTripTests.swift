import FunctionKit
import HTTPTypes
import Knowlarity
import TestSupport
import Testing

/// On PostgreSQL every round trip is latency a webhook pays. In a kept process (FastCGI), once
/// its statements are prepared, a Knowlarity call costs one round trip per answer it waits for:
/// the call's lock and stored row; the source and the leads with its phone; a new lead's id;
/// then the rest of the processing, the log row and COMMIT together.
@Suite(.enabled(if: TestStore.isPostgres, "round trips are PostgreSQL's"))
struct KnowlarityRoundTripTests {
    let knowlarity = HandlerFixture(path: "/webhooks/knowlarity", settings: TestSettings.openIntake, handler: KnowlarityWebhook.handle)

    private func send(_ body: String, in process: FunctionContext) -> (outcome: String?, roundTrips: Int) {
        let before = process.resources.roundTrips
        let response = knowlarity.send(body, contentType: "application/json", in: process)
        #expect(response.status == .ok, "\(String(decoding: response.body, as: UTF8.self))")
        return (response.json["outcome"]?.text, process.resources.roundTrips - before)
    }

    @Test func aCallCostsOneRoundTripPerAnswerItWaitsFor() {
        let process = knowlarity.keptProcess()
        // Statements are prepared the second time they run.
        for call in 1...3 { _ = send(knowlarityCall(uuid: "warm\(call)", phone: "+91801985800\(call)"), in: process) }

        #expect(send(knowlarityCall(uuid: "n1", phone: "+918019858111"), in: process) == ("new_lead", 4))
        #expect(send(knowlarityCall(uuid: "n2", phone: "+918019858111"), in: process) == ("same_source_repeat", 3))
        #expect(send(knowlarityCall(uuid: "n2", phone: "+918019858111"), in: process) == ("duplicate_call", 2))
    }
}
