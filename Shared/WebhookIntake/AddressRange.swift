#if canImport(Glibc)
import Glibc
#endif

/// An address, or a network in CIDR notation.
public struct AddressRange: Sendable, Equatable {
    public let network: [UInt8]
    public let prefixLength: Int

    public init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let network = Self.bytes(of: String(parts[0])) else { return nil }
        let maximum = network.count * 8
        if parts.count == 2 {
            // Digits only: `Int` would also take "+8".
            guard parts[1].utf8.allSatisfy({ (0x30...0x39).contains($0) }), let length = Int(parts[1]), (0...maximum).contains(length) else {
                return nil
            }
            prefixLength = length
        } else {
            prefixLength = maximum
        }
        self.network = network
    }

    public func contains(_ address: [UInt8]) -> Bool {
        guard address.count == network.count else { return false }
        var remaining = prefixLength
        for (left, right) in zip(address, network) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            guard left & mask == right & mask else { return false }
            remaining -= 8
        }
        return true
    }

    /// The 4 or 16 bytes of an address's text; an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`,
    /// as dual-stack servers report IPv4 senders) is its IPv4 address.
    static func bytes(of text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 { return withUnsafeBytes(of: v4) { Array($0) } }
        var v6 = in6_addr()
        guard inet_pton(AF_INET6, text, &v6) == 1 else { return nil }
        let bytes = withUnsafeBytes(of: v6) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF { return Array(bytes[12...]) }
        return bytes
    }
}
