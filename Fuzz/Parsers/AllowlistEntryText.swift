import WebhookIntake

// libFuzzer target: arbitrary text as one entry of a sender allowlist (`LEADWIRE_*_ALLOWED_IPS`).
// An entry that parses is a CIDR range by definition: it holds its own network address, every
// address that differs from it only after the prefix, and none that differs within the prefix.

func fuzzAllowlistEntryText(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let range = AddressRange(text) else { return }
    let bits = range.network.count * 8
    guard range.network.count == 4 || range.network.count == 16, (0...bits).contains(range.prefixLength) else {
        fatalError("\(text) read as \(range)")
    }
    guard range.contains(range.network) else { fatalError("\(text) does not hold its own network") }
    for bit in 0..<bits {
        var flipped = range.network
        flipped[bit / 8] ^= 0x80 >> UInt8(bit % 8)
        guard range.contains(flipped) == (bit >= range.prefixLength) else {
            fatalError("\(text): flipping bit \(bit) of a /\(range.prefixLength) gave the wrong answer")
        }
    }
}
