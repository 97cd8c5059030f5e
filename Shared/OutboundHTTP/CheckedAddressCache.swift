import NIOPosix
public import OutboundURLCheck
import Synchronization

/// The outbound worker's checked addresses by host, kept for `lifetime`. Without them every
/// delivery asked the resolver again: on a machine with no caching resolver, a DNS query per
/// delivery, made on a thread the deliveries share. Here a lookup runs on NIO's pool for
/// blocking work, and only when the host's addresses are not known or too old.
///
/// A connection still goes only to an address that passed the check within `lifetime`. A host
/// that is refused (private, or not resolving) is not kept: its next delivery asks again.
public final class CheckedAddressCache: Sendable {
    public typealias Check = @Sendable (OutboundURL, _ allowPrivate: Bool) throws -> [ResolvedAddress]

    /// The check depends on the scheme too: plain http passes only where private addresses may.
    private struct Key: Hashable {
        let host: String
        let port: Int
        let secure: Bool
        let allowPrivate: Bool
    }

    private struct Entry {
        let addresses: [ResolvedAddress]
        let until: ContinuousClock.Instant
    }

    /// How long checked addresses are used; a subscriber that moves is reached at its new
    /// address within this.
    public let lifetime: Duration
    private let check: Check
    private let entries = Mutex<[Key: Entry]>([:])

    public init(lifetime: Duration = .seconds(30), check: @escaping Check = { url, allowPrivate in try url.checkedAddresses(allowPrivate: allowPrivate) }) {
        self.lifetime = lifetime
        self.check = check
    }

    /// The addresses `url`'s host may be reached at, from the cache or checked now.
    public func addresses(of url: OutboundURL, allowPrivate: Bool) async throws -> [ResolvedAddress] {
        let key = Key(host: url.host, port: url.port, secure: url.isSecure, allowPrivate: allowPrivate)
        let now = ContinuousClock.now
        if let kept = entries.withLock({ $0[key] }), kept.until > now { return kept.addresses }
        let check = self.check
        let addresses = try await NIOThreadPool.singleton.runIfActive { try check(url, allowPrivate) }
        entries.withLock { $0[key] = Entry(addresses: addresses, until: now + lifetime) }
        return addresses
    }
}
