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

/// The allowlist's CIDR reading and matching against Python's `ipaddress` module, on a corpus
/// of ranges and addresses that module generates (edges of every prefix length, both
/// families, IPv4-mapped senders, and texts that are not ranges at all). One difference is
/// deliberate and left out: a scoped address (`fe80::1%eth0`) is refused, since a sender's
/// address never carries a zone.
@Suite struct SenderAllowlistAgainstPythonTests {
    struct Case: Decodable {
        let range: String
        let address: String
        /// Nil when Python refuses the range.
        let contains: Bool?
    }

    static let corpus = #"""
        import ipaddress, json, random
        random.seed(25)
        cases = []
        def add(range_text, address):
            try:
                network = ipaddress.ip_network(range_text, strict=False)
            except ValueError:
                cases.append({"range": range_text, "address": address, "contains": None})
                return
            sender = ipaddress.ip_address(address)
            if sender.version == 6 and sender.ipv4_mapped is not None:
                sender = sender.ipv4_mapped  # dual-stack servers report IPv4 senders this way
            cases.append({"range": range_text, "address": address, "contains": sender.version == network.version and sender in network})
        for _ in range(400):
            bits = random.choice([32, 128])
            prefix = random.randint(0, bits)
            base = random.getrandbits(bits)
            network = ipaddress.ip_address(base) if bits == 32 else ipaddress.IPv6Address(base)
            inside = base ^ (random.getrandbits(bits - prefix) if prefix < bits else 0)
            outside = base ^ (1 << (bits - prefix)) if prefix > 0 else base
            make = ipaddress.IPv4Address if bits == 32 else ipaddress.IPv6Address
            for address in (make(inside), make(outside)):
                add(f"{network}/{prefix}", str(address))
            if bits == 32:
                add(f"{network}/{prefix}", "::ffff:" + str(make(inside)))
        for text in ["10.0.0.0/33", "::/129", "10.0.0.0/-1", "10.0.0.0/+8", "10.0.0.0/ 8", "10.0.0.0/", "1.2.3", "01.2.3.4/8",
                     "10.0.0.0/8/8", "1.2.3.4.5", "::1/64", "0.0.0.0/0", "::/0", "10.0.0.0/08"]:
            add(text, "10.1.2.3")
        print(json.dumps(cases))
        """#

    @Test func everyRangeAndSenderIsDecidedAsPythonDecidesIt() throws {
        let cases = try pythonVerdicts(Self.corpus, as: [Case].self)
        #expect(cases.count > 1000)
        for item in cases {
            let environment = Environment(["LEADWIRE_X_ALLOWED_IPS": item.range])
            guard let allowlist = try? SenderAllowlist(environment, variable: "LEADWIRE_X_ALLOWED_IPS") else {
                #expect(item.contains == nil, "\(item.range) refused, but Python reads it")
                continue
            }
            guard let expected = item.contains else {
                Issue.record("\(item.range) read as a range, but Python refuses it")
                continue
            }
            let request = Request(method: .post, path: "/x", remoteAddress: item.address)
            let allowed = (try? allowlist.verify(request, logger: Logger(function: "t", sink: { _ in }))) != nil
            #expect(allowed == expected, "\(item.address) in \(item.range)")
        }
    }
}
