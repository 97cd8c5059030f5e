import OutboundURLCheck

// libFuzzer target: arbitrary text as a webhook subscriber's URL. A URL that parses has a host,
// a port from 1 to 65535 and a request target that starts with "/" and holds no space or
// control character, and its text is at most the limit.

func fuzzOutboundURL(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let url = try? OutboundURL(text) else { return }
    guard !url.host.isEmpty, (1...65535).contains(url.port), url.target.hasPrefix("/"),
        url.target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), text.utf8.count <= OutboundURL.maximumLength
    else { fatalError("\(text) parsed as host \(url.host), port \(url.port), target \(url.target)") }
}
