import FunctionKit
import Outbound
import OutboundURLCheck
import TestSupport
import Testing

/// Subscriber URLs against server-side request forgery: https only, public addresses only,
/// unless LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1.
@Suite struct OutboundURLTests {
    @Test(arguments: [
        "http://127.0.0.1:9000/hook", "https://127.0.0.1/hook", "https://localhost/hook", "https://10.0.0.5/", "https://172.16.3.4/",
        "https://192.168.1.10/", "https://169.254.169.254/latest/meta-data/", "https://100.64.0.1/", "https://0.0.0.0/",
        "https://[::1]/", "https://[fe80::1]/", "https://[fd00::5]/", "https://[::ffff:127.0.0.1]/", "https://224.0.0.1/",
    ])
    func privateAndPlainHTTPURLsAreRefused(url: String) throws {
        let parsed = try OutboundURL(url)
        #expect(throws: OutboundURL.Refusal.self) { try parsed.checkedAddresses(allowPrivate: false) }
        #expect(try parsed.checkedAddresses(allowPrivate: true).isEmpty == false, "allowed for development")
    }

    @Test(arguments: ["https://8.8.8.8/hook", "https://[2001:4860:4860::8888]:8443/x?y=1"])
    func publicAddressesPass(url: String) throws {
        let addresses = try OutboundURL(url).checkedAddresses(allowPrivate: false)
        #expect(addresses.count == 1 && addresses[0].isPublic)
    }

    @Test func theParsedPartsAreWhatTheWorkerSends() throws {
        let url = try OutboundURL("https://CRM.example.com:8443/webhooks/flowkick?tenant=7#ignored")
        #expect(url.host == "crm.example.com" && url.port == 8443 && url.target == "/webhooks/flowkick?tenant=7" && url.isSecure)
        #expect(try OutboundURL("https://example.com").target == "/")
        #expect(try OutboundURL("http://[::1]:9000").host == "::1")
        for bad in ["ftp://example.com/", "https://user:pw@example.com/", "https://example.com:0/", "https://example.com:70000/", "https:///x",
                    "https://example.com/a b", "example.com/hook", "https://" + String(repeating: "a", count: 2100)] {
            #expect(throws: OutboundURL.Refusal.self, "\(bad)") { try OutboundURL(bad) }
        }
    }

    @Test func theSubscriptionBodyIsCheckedFieldByField() throws {
        func input(_ json: String, creating: Bool = true) throws -> SubscriptionInput {
            try SubscriptionInput(try JSONValue(parsing: json), creating: creating, allowPrivate: true)
        }
        let created = try input(#"{"name":" CRM ","url":"http://127.0.0.1/h","events":["lead.created","lead.created","*"]}"#)
        #expect(created.name == "CRM" && created.events == ["lead.created", "*"] && created.retryAttempts == nil)
        for (body, complaint) in [
            (#"{"url":"http://127.0.0.1/h","events":["*"]}"#, "required"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":["user.created_twice"]}"#, "Unknown event"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":["user.created","booking.created"]}"#, "no bookings or QR codes"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":["qr.scanned"]}"#, "never sends qr.* events"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":[]}"#, "non-empty"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":["*"],"timeoutMs":99}"#, "timeoutMs"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":["*"],"retryAttempts":"3"}"#, "retryAttempts"),
            (#"{"name":"a","url":"http://127.0.0.1/h","events":["*"],"secret":"mine"}"#, "Unknown field"),
            (#"{"name":"a","url":"ftp://x/h","events":["*"]}"#, "https"),
            (#"[1]"#, "JSON object"),
        ] {
            #expect(throws: SubscriptionInput.Invalid.self, "\(body)") { try input(body) }
            do { _ = try input(body) } catch { #expect(String(describing: error).contains(complaint), "\(body): \(error)") }
        }
        #expect(try input(#"{"active":false}"#, creating: false).active == false)
    }
}

/// The public/private decision against Python's `ipaddress` module, on addresses it draws from
/// every range it calls non-global and from everywhere else: an address Python calls
/// non-global is never public here. (The other way round this is stricter on purpose:
/// multicast, 6to4 and the IPv6 space outside 2000::/3 are no subscriber's address.)
@Suite struct PublicAddressAgainstPythonTests {
    static let corpus = #"""
        import ipaddress, json, random
        random.seed(29)
        ranges = ipaddress.IPv4Address._constants._private_networks + ipaddress.IPv6Address._constants._private_networks + [
            ipaddress.ip_network("100.64.0.0/10"), ipaddress.ip_network("224.0.0.0/4"), ipaddress.ip_network("ff00::/8")]
        addresses = []
        for network in ranges:
            for _ in range(20):
                addresses.append(network.network_address + random.getrandbits(network.max_prefixlen - network.prefixlen))
            addresses += [network.network_address, network.broadcast_address]
        addresses += [ipaddress.IPv4Address(random.getrandbits(32)) for _ in range(2000)]
        addresses += [ipaddress.IPv6Address((0x2 << 125) | random.getrandbits(125)) for _ in range(1000)]
        print(json.dumps([{"address": str(a), "global": a.is_global} for a in addresses]))
        """#

    struct Case: Decodable {
        let address: String
        let global: Bool
    }

    @Test func noAddressPythonCallsNonGlobalIsPublic() throws {
        let cases = try pythonVerdicts(Self.corpus, as: [Case].self)
        #expect(cases.count > 3000)
        var nonGlobal = 0
        for item in cases {
            let url = item.address.contains(":") ? "https://[\(item.address)]/hook" : "https://\(item.address)/hook"
            let addresses = try OutboundURL(url).checkedAddresses(allowPrivate: true)
            #expect(addresses.count == 1, "\(item.address)")
            guard let address = addresses.first else { continue }
            if !item.global {
                nonGlobal += 1
                #expect(!address.isPublic, "\(item.address) is not global, yet counted public (\(address.text))")
            }
        }
        #expect(nonGlobal > 400, "the corpus reaches into the non-global ranges")
    }
}
