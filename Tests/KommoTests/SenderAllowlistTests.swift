import Synchronization
import FunctionKit
import HTTPTypes
import Kommo
import LeadwireStore
import TestSupport
import Testing
import WebhookIntake

/// `LEADWIRE_<FUNCTION>_ALLOWED_IPS`: a sender outside the list gets 403, a log line, and
/// nothing stored; addresses and CIDR ranges, IPv4 and IPv6.
@Suite struct SenderAllowlistTests {
    @Test(arguments: [
        ("10.0.0.0/8", "10.200.3.4", true), ("10.0.0.0/8", "11.0.0.1", false), ("195.201.12.0/22", "195.201.15.255", true),
        ("195.201.12.0/22", "195.201.16.0", false), ("203.0.113.7", "203.0.113.7", true), ("203.0.113.7", "203.0.113.8", false),
        ("2a01:4f8::/32", "2a01:4f8:c17:1::5", true), ("2a01:4f8::/32", "2a01:4f9::1", false), ("10.0.0.0/8", "::ffff:10.1.2.3", true),
        ("0.0.0.0/0", "198.51.100.1", true), ("10.0.0.0/8", "not an address", false), ("::/0", "10.0.0.1", false),
    ])
    func aSenderIsMatchedAgainstAddressesAndRanges(list: String, sender: String, allowed: Bool) throws {
        let allowlist = try SenderAllowlist(Environment(["LEADWIRE_X_ALLOWED_IPS": list]), variable: "LEADWIRE_X_ALLOWED_IPS")
        let request = Request(method: .post, path: "/x", remoteAddress: sender)
        let logged = LogLines()
        if allowed {
            try allowlist.verify(request, logger: Logger(function: "t", sink: logged.append))
        } else {
            #expect(throws: HTTPError.self) { try allowlist.verify(request, logger: Logger(function: "t", sink: logged.append)) }
            #expect(logged.lines.first?.contains(#""event":"sender_refused","remote_addr":"\#(sender)""#) == true)
        }
    }

    @Test(arguments: ["10.0.0.0/33", "example.com", "10.0.0.1/x", " , "])
    func aBadListIsAConfigurationErrorThatNamesIt(list: String) {
        #expect(throws: ConfigurationError.self) { try SenderAllowlist(Environment(["LEADWIRE_X_ALLOWED_IPS": list]), variable: "LEADWIRE_X_ALLOWED_IPS") }
    }

    @Test func aKommoEventFromElsewhereIsRefusedAndNothingIsKept() throws {
        var kommo = KommoFixture()
        kommo.environment["LEADWIRE_KOMMO_WEBHOOK_ALLOWED_IPS"] = "195.201.0.0/16 2a01:4f8::/32"
        let body = kommoForm("add", ["id": "7", "name": "Lead", "updated_at": "100"])
        let refused = kommo.handler.send(body, remoteAddress: "203.0.113.9")
        #expect(refused.status == .forbidden)
        #expect(refused.json["error"]?["code"] == "sender_not_allowed")
        #expect(try kommo.count("SELECT count(*) FROM kommo_webhook_logs") == 0)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 0)
        #expect(kommo.handler.send(body, remoteAddress: "195.201.44.2").status == .ok)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads") == 1)

        kommo.environment["LEADWIRE_KOMMO_WEBHOOK_ALLOWED_IPS"] = "195.201.0.0/99"
        #expect(kommo.handler.send(body, remoteAddress: "195.201.44.2").status == .internalServerError)
    }
}

/// `LEADWIRE_<FUNCTION>_RATE_LIMIT`: a flood from one address is answered 429 with
/// Retry-After and stores nothing, while another address goes on; the count is the store's, so
/// a second process (here a second handler on the same file) sees it too.
@Suite struct SenderRateLimitTests {
    @Test func aFloodFromOneSenderDoesNotBlockAnother() throws {
        var kommo = KommoFixture()
        kommo.environment["LEADWIRE_KOMMO_WEBHOOK_RATE_LIMIT"] = "3"
        kommo.handler.clock = { Timestamp(millisecondsSince1970: 1_800_000_010_000) }  // 10 s into a minute
        let secondProcess = kommo.handler.sharing(path: "/kommo-webhook", handler: KommoWebhook.handle)
        func send(_ id: Int, from address: String, through fixture: HandlerFixture) -> Response {
            fixture.send(kommoForm("add", ["id": String(id), "name": "Lead", "updated_at": "100"]), remoteAddress: address)
        }
        #expect(send(1, from: "203.0.113.9", through: kommo.handler).status == .ok)
        #expect(send(2, from: "203.0.113.9", through: secondProcess).status == .ok)
        #expect(send(3, from: "203.0.113.9", through: kommo.handler).status == .ok)
        let limited = send(4, from: "203.0.113.9", through: secondProcess)
        #expect(limited.status == .tooManyRequests)
        #expect(limited.headers[.retryAfter] == "50")
        #expect(limited.json["error"]?["code"] == "rate_limited")
        #expect(send(5, from: "198.51.100.4", through: kommo.handler).status == .ok, "another sender goes on")
        #expect(try kommo.count("SELECT count(*) FROM kommo_webhook_logs") == 4)
        #expect(try kommo.count("SELECT count(*) FROM kommo_leads WHERE kommo_id = 4") == 0)

        // The next minute starts a new count.
        kommo.handler.clock = { Timestamp(millisecondsSince1970: 1_800_000_070_000) }
        #expect(send(4, from: "203.0.113.9", through: kommo.handler).status == .ok)
    }

    /// One IPv6 address comes with the 2^64 of its /64: walking through them is one sender.
    /// Senders gone quiet for a minute are cleared from the count table.
    @Test func anIPv6SenderIsCountedByItsSlash64AndQuietSendersArePruned() throws {
        var kommo = KommoFixture()
        kommo.environment["LEADWIRE_KOMMO_WEBHOOK_RATE_LIMIT"] = "2"
        kommo.handler.clock = { Timestamp(millisecondsSince1970: 1_800_000_010_000) }
        func send(_ id: Int, from address: String) -> Response {
            kommo.handler.send(kommoForm("add", ["id": String(id), "name": "Lead", "updated_at": "100"]), remoteAddress: address)
        }
        #expect(send(1, from: "2001:db8:1:2::1").status == .ok)
        #expect(send(2, from: "2001:db8:1:2:ffff::9").status == .ok)
        #expect(send(3, from: "2001:db8:1:2:dead:beef:0:1").status == .tooManyRequests)
        #expect(send(4, from: "2001:db8:1:3::1").status == .ok, "the next /64 is another sender")
        #expect(try kommo.count("SELECT count(*) FROM sender_rate_limits WHERE address = '2001:db8:1:2::/64'") == 1)

        kommo.handler.clock = { Timestamp(millisecondsSince1970: 1_800_000_200_000) }
        #expect(send(5, from: "203.0.113.9").status == .ok)
        #expect(try kommo.count("SELECT count(*) FROM sender_rate_limits") == 1, "the quiet senders' rows are gone")
    }
}

/// Log lines a test reads back.
final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])
    var lines: [String] { storage.withLock { $0 } }
    var append: @Sendable (String) -> Void { { line in self.storage.withLock { $0.append(line) } } }
}
