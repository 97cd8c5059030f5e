#if canImport(Glibc)
import Glibc
#endif

/// A subscriber's URL, checked against server-side request forgery: https only, and every
/// address its host resolves to must be public (not loopback, private, link-local, carrier
/// NAT, multicast, documentation, 6to4 or otherwise reserved; a test holds it to Python's
/// `ipaddress` list of non-global ranges). `LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1` lifts both rules for local
/// development and tests. The worker checks again at each delivery and connects to the
/// address it checked, so a name that later resolves elsewhere (DNS rebinding) is caught.
public struct OutboundURL: Sendable, Equatable {
    public let text: String
    public let isSecure: Bool
    public let host: String
    public let port: Int
    /// Path and query, as sent in the request line.
    public let target: String

    public struct Refusal: Error, CustomStringConvertible {
        public let description: String
    }

    public static let maximumLength = 2048

    public init(_ text: String) throws(Refusal) {
        guard text.utf8.count <= Self.maximumLength else { throw Refusal(description: "The URL is longer than \(Self.maximumLength) characters.") }
        let lowered = text.lowercased()
        let rest: Substring
        if lowered.hasPrefix("https://") {
            isSecure = true
            rest = text.dropFirst(8)
        } else if lowered.hasPrefix("http://") {
            isSecure = false
            rest = text.dropFirst(7)
        } else {
            throw Refusal(description: "The URL must start with https://.")
        }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        guard !authority.contains("@") else { throw Refusal(description: "The URL must not carry a user name or password.") }
        var target = String(rest[authorityEnd...].prefix { $0 != "#" })
        if target.isEmpty || target.hasPrefix("?") { target = "/" + target }
        guard target.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw Refusal(description: "The URL's path must be percent-encoded (no spaces or control characters).")
        }
        let (host, portText) = try Self.split(authority)
        guard !host.isEmpty else { throw Refusal(description: "The URL has no host.") }
        let port = portText.map { Int($0) } ?? (isSecure ? 443 : 80)
        guard let port, (1...65535).contains(port) else { throw Refusal(description: "The URL's port is not a number from 1 to 65535.") }
        self.text = text
        self.host = host.lowercased()
        self.port = port
        self.target = target
    }

    /// Host and optional port; an IPv6 address comes in brackets.
    private static func split(_ authority: Substring) throws(Refusal) -> (String, Substring?) {
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw Refusal(description: "The URL's IPv6 address lacks its closing bracket.") }
            let after = authority[authority.index(after: close)...]
            return (String(authority[authority.index(after: authority.startIndex)..<close]), after.hasPrefix(":") ? after.dropFirst() : nil)
        }
        if let colon = authority.lastIndex(of: ":") {
            return (String(authority[..<colon]), authority[authority.index(after: colon)...])
        }
        return (String(authority), nil)
    }

    /// The addresses to connect to, once the rules above hold for every one of them.
    public func checkedAddresses(allowPrivate: Bool) throws(Refusal) -> [ResolvedAddress] {
        guard isSecure || allowPrivate else { throw Refusal(description: "The URL must use https (plain http only with LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1).") }
        let addresses = try ResolvedAddress.resolve(host, port: port)
        if !allowPrivate, let inside = addresses.first(where: { !$0.isPublic }) {
            throw Refusal(
                description: "\(host) resolves to \(inside.text), a loopback, private or reserved address; subscribers must be public (LEADWIRE_WEBHOOKS_ALLOW_PRIVATE=1 allows it).")
        }
        return addresses
    }
}

/// One address a host name resolved to.
public struct ResolvedAddress: Sendable, Equatable {
    /// 4 or 16 bytes.
    public let bytes: [UInt8]
    public let port: Int

    public var text: String {
        if bytes.count == 4 { return bytes.map(String.init).joined(separator: ".") }
        var buffer = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        _ = inet_ntop(AF_INET6, bytes, &buffer, socklen_t(buffer.count))
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func resolve(_ host: String, port: Int) throws(OutboundURL.Refusal) -> [ResolvedAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &list)
        guard status == 0, let list else {
            throw OutboundURL.Refusal(description: "\(host) does not resolve (\(String(cString: gai_strerror(status)))).")
        }
        defer { freeaddrinfo(list) }
        var addresses: [ResolvedAddress] = []
        var entry: UnsafeMutablePointer<addrinfo>? = list
        while let current = entry {
            if let address = current.pointee.ai_addr {
                switch Int32(current.pointee.ai_family) {
                // The address bytes sit at fixed offsets (the sockaddr_in and sockaddr_in6 layouts);
                // read there, since beside SwiftNIO the structs' fields resolve to NIO's C module.
                case AF_INET:
                    let bytes = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(address) + 4, count: 4))
                    addresses.append(ResolvedAddress(bytes: bytes, port: port))
                case AF_INET6:
                    let bytes = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(address) + 8, count: 16))
                    addresses.append(ResolvedAddress(bytes: bytes, port: port))
                default: break
                }
            }
            entry = current.pointee.ai_next
        }
        var unique: [ResolvedAddress] = []
        for address in addresses where !unique.contains(address) { unique.append(address) }
        return unique
    }

    /// Whether the address is on the public internet.
    public var isPublic: Bool {
        if bytes.count == 4 { return Self.isPublicIPv4(bytes) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xFF && bytes[11] == 0xFF {
            return Self.isPublicIPv4(Array(bytes[12...]))  // ::ffff:a.b.c.d
        }
        if bytes[0..<15].allSatisfy({ $0 == 0 }) { return false }  // :: and ::1
        if bytes[0] & 0xFE == 0xFC { return false }  // fc00::/7 unique local
        if bytes[0] == 0xFE && bytes[1] & 0xC0 == 0x80 { return false }  // fe80::/10 link-local
        if bytes[0] == 0xFF { return false }  // multicast
        if bytes[0..<4] == [0x00, 0x64, 0xFF, 0x9B] && bytes[4..<12].allSatisfy({ $0 == 0 }) {
            return Self.isPublicIPv4(Array(bytes[12...]))  // 64:ff9b::/96, NAT64 (64:ff9b:1::/48 is local use: below 2000::/3)
        }
        if bytes[0] == 0x20 && bytes[1] == 0x01 && bytes[2] & 0xFE == 0 { return false }  // 2001::/23, IETF protocol assignments
        if bytes[0..<4] == [0x20, 0x01, 0x0D, 0xB8] { return false }  // 2001:db8::/32, documentation
        if bytes[0] == 0x20 && bytes[1] == 0x02 { return false }  // 2002::/16, 6to4 (relays deprecated; may reach inside)
        return bytes[0] & 0xE0 == 0x20  // 2000::/3, global unicast
    }

    private static func isPublicIPv4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): false
        case (100, 64...127): false  // carrier-grade NAT
        case (169, 254): false  // link-local (cloud metadata services live here)
        case (172, 16...31), (192, 168): false
        case (192, 0) where b[2] == 0: false  // IETF protocol assignments
        case (192, 0) where b[2] == 2, (198, 51) where b[2] == 100, (203, 0) where b[2] == 113: false  // documentation
        case (198, 18...19): false  // benchmarking
        case (224...255, _): false  // multicast, reserved, broadcast
        default: true
        }
    }
}
