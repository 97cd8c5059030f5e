/// An account's own Kommo host, `{subdomain}.kommo.com` (or amoCRM's `.amocrm.ru` and
/// `.amocrm.com`). Tokens are exchanged and used only there: a `referer` or `return_url`
/// naming any other host is refused, so a token is never sent anywhere else.
public struct KommoAccountHost: Sendable, Equatable, CustomStringConvertible {
    public static let domains = ["kommo.com", "amocrm.ru", "amocrm.com"]

    public let subdomain: String
    /// `subdomain.kommo.com`
    public let name: String

    /// From a host name, with or without `https://` and a trailing `/`; nil when it is not a
    /// Kommo account host.
    public init?(_ text: some StringProtocol) {
        var host = text.lowercased()
        if host.hasPrefix("https://") { host.removeFirst(8) }
        if host.hasSuffix("/") { host.removeLast() }
        guard host.utf8.count <= 253, let dot = host.firstIndex(of: ".") else { return nil }
        let subdomain = host[..<dot]
        let domain = host[host.index(after: dot)...]
        guard Self.domains.contains(String(domain)), (1...63).contains(subdomain.utf8.count), subdomain != "www",
            subdomain.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }),
            !subdomain.hasPrefix("-"), !subdomain.hasSuffix("-")
        else { return nil }
        self.subdomain = String(subdomain)
        name = host
    }

    public var description: String { name }
}
