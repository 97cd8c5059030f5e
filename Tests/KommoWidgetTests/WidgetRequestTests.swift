import Foundation
import FunctionKit
import HTTPTypes
import KommoWidget
import LeadwireStore
import TestSupport
import Testing

/// widget-request in-process on a fresh database: what is answered, queued and logged.
@Suite struct WidgetRequestTests {
    let fixture = HandlerFixture(
        path: "/widget-request", settings: ["LEADWIRE_KOMMO_CLIENT_SECRET": Tokens.secret, "LEADWIRE_KOMMO_CLIENT_ID": "client-1"],
        handler: WidgetRequestAPI.handle)

    func body(token: String = Tokens.sign(Tokens.claims(exp: Int64(Date().timeIntervalSince1970) + 600)), returnURL: String = "https://acme.kommo.com/api/v4/salesbot/321/continue/77") -> String {
        let object: [String: Any] = ["token": token, "data": ["message": "Hello, can you help me?", "from": "widget"], "return_url": returnURL]
        return String(decoding: try! JSONSerialization.data(withJSONObject: object), as: UTF8.self)
    }

    @Test func aSignedRequestIsQueuedOnceAndAnsweredOK() throws {
        let first = fixture.send(body(), contentType: "application/json")
        #expect(first.status.code == 200)
        #expect(String(decoding: first.body, as: UTF8.self) == #"{"status":"ok"}"#)
        let again = fixture.send(body(), contentType: "application/json")
        #expect(again.status.code == 200)
        #expect(try fixture.count("SELECT count(*) FROM outbox WHERE topic = 'widget.reply'") == 1)
        let queued = try #require(try fixture.rows("SELECT payload FROM outbox").first?["payload"]?.text)
        #expect(queued.contains(#""return_url":"https://acme.kommo.com/api/v4/salesbot/321/continue/77""#))
        #expect(queued.contains(#""account_id":29085730"#))
        let logs = try fixture.rows("SELECT lead_id, deal_data, processing_status FROM webhook_logs WHERE source = 'widget' ORDER BY id")
        #expect(logs.count == 2)
        #expect(logs[0]["lead_id"] == .integer(9))
        // The token is never stored.
        #expect(logs.allSatisfy { !($0["deal_data"]?.text ?? "").contains("eyJ") })
    }

    @Test func badTokensAndForeignReturnURLsAreRefusedLoggedAndNotQueued() throws {
        let cases: [(String, Int, String)] = [
            (body(token: "test_jwt_token"), 401, "invalid_token"),
            (body(token: Tokens.sign(Tokens.claims(exp: 1000))), 401, "invalid_token"),
            (#"{"data":{},"return_url":"https://acme.kommo.com/api/v4/salesbot/1/continue/2"}"#, 401, "unauthorized"),
            (body(returnURL: "https://evil.example.com/api/v4/salesbot/321/continue/77"), 400, "invalid_return_url"),
            (body(returnURL: "https://other.kommo.com/api/v4/salesbot/321/continue/77"), 400, "invalid_return_url"),
            (body(returnURL: "https://acme.kommo.com/api/v4/leads"), 400, "invalid_return_url"),
            (body(returnURL: "http://acme.kommo.com/api/v4/salesbot/321/continue/77"), 400, "invalid_return_url"),
            ("{not json", 400, "invalid_json"),
        ]
        for (text, status, code) in cases {
            let response = fixture.send(text, contentType: "application/json")
            #expect(Int(response.status.code) == status, "\(text.prefix(80))")
            #expect(String(decoding: response.body, as: UTF8.self).contains(code), "\(String(decoding: response.body, as: UTF8.self))")
        }
        #expect(try fixture.count("SELECT count(*) FROM outbox") == 0)
        #expect(try fixture.count("SELECT count(*) FROM webhook_logs WHERE source = 'widget' AND processing_status = 'error'") == Int64(cases.count))
    }

    @Test func anOversizeBodyIs413AndLogged() throws {
        let response = fixture.send("", contentType: "application/json", bodyLimitExceeded: BodyLimitExceeded(length: 5_000_000, limit: 1_048_576))
        #expect(response.status.code == 413)
        #expect(try fixture.count("SELECT count(*) FROM webhook_logs WHERE source = 'widget'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM outbox") == 0)
    }

    @Test func marketingbotContinuationsAndAmoCRMHostsAreAccepted() throws {
        for url in ["https://acme.kommo.com/api/v4/marketingbot/5/continue/6", "https://acme.amocrm.ru/api/v4/salesbot/5/continue/7"] {
            #expect(fixture.send(body(returnURL: url), contentType: "application/json").status.code == 200, "\(url)")
        }
    }
}

@Suite struct SalesbotReplyTests {
    @Test func kommosLimitsAreCheckedBeforeSending() throws {
        let show = JSONValue.object(JSONObject([("handler", "show"), ("params", ["type": "text", "value": "hi"])]))
        #expect(throws: Never.self) { try SalesbotReply(responderAnswer: .object(JSONObject([("execute_handlers", .array(Array(repeating: show, count: 10)))]))) }
        #expect(throws: SalesbotReply.Invalid.self) { try SalesbotReply(responderAnswer: .object(JSONObject([("execute_handlers", .array(Array(repeating: show, count: 11)))]))) }
        func buttons(_ count: Int, length: Int) -> JSONValue {
            .object(JSONObject([("execute_handlers", [["handler": "show", "params": ["type": "buttons", "value": "Pick", "buttons": .array(Array(repeating: .string(String(repeating: "b", count: length)), count: count))]]])]))
        }
        #expect(throws: Never.self) { try SalesbotReply(responderAnswer: buttons(25, length: 80)) }
        #expect(throws: SalesbotReply.Invalid.self) { try SalesbotReply(responderAnswer: buttons(26, length: 5)) }
        #expect(throws: SalesbotReply.Invalid.self) { try SalesbotReply(responderAnswer: buttons(2, length: 81)) }
        #expect(throws: SalesbotReply.Invalid.self) { try SalesbotReply(responderAnswer: .array([])) }
        #expect(try SalesbotReply(responderAnswer: ["reply": "Hello"]) == .text("Hello", source: "responder"))
    }

    @Test func keywordRulesPickTheFirstMatchElseTheFallback() throws {
        let rules = try KeywordRules(parsing: #"{"rules":[{"keywords":["price","cost"],"reply":"From 10 USD"},{"keywords":["hello"],"reply":"Hi!"}],"fallback":"A manager will answer"}"#)
        #expect(rules.reply(to: ["message": "What is the PRICE?"]) == .text("From 10 USD", source: "rules"))
        #expect(rules.reply(to: ["message": "hello there"]) == .text("Hi!", source: "rules"))
        #expect(rules.reply(to: ["message": "something else"]) == .text("A manager will answer", source: "fallback"))
        #expect(throws: ConfigurationError.self) { try KeywordRules(parsing: #"{"rules":[{"reply":"x"}]}"#) }
    }
}
