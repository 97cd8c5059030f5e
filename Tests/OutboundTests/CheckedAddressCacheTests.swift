import OutboundHTTP
import OutboundURLCheck
import Synchronization
import Testing

/// The worker asks the resolver about a subscriber's host once in a while, not once per
/// delivery, and never lets a cached answer stand in for a check that would refuse.
@Suite struct CheckedAddressCacheTests {
    /// A check that counts its calls and answers 127.0.0.1, or fails while `refusing` is set.
    final class CountingCheck: Sendable {
        let calls = Mutex(0)
        let refusing = Mutex(false)

        func check(_ url: OutboundURL, _ allowPrivate: Bool) throws -> [ResolvedAddress] {
            calls.withLock { $0 += 1 }
            if refusing.withLock({ $0 }) { throw NoSuchHost() }
            return try OutboundURL("http://127.0.0.1:\(url.port)/").checkedAddresses(allowPrivate: true)
        }
    }

    struct NoSuchHost: Error {}

    let url = try! OutboundURL("https://hooks.example.com/leadwire")

    /// An hour's lifetime: a test pool busy with other suites once held this test for longer
    /// than the default 30 seconds, and the entry expired between its calls.
    @Test func aHostIsCheckedOnceWithinTheLifetime() async throws {
        let counting = CountingCheck()
        let cache = CheckedAddressCache(lifetime: .seconds(3600), check: counting.check)
        for _ in 1...3 { #expect(try await cache.addresses(of: url, allowPrivate: false).map(\.text) == ["127.0.0.1"]) }
        #expect(counting.calls.withLock { $0 } == 1)

        // Another port is another check.
        _ = try await cache.addresses(of: try OutboundURL("https://hooks.example.com:8443/leadwire"), allowPrivate: false)
        #expect(counting.calls.withLock { $0 } == 2)
    }

    @Test func aHostIsCheckedAgainOnceTheLifetimeIsOver() async throws {
        let counting = CountingCheck()
        let cache = CheckedAddressCache(lifetime: .zero, check: counting.check)
        for _ in 1...3 { _ = try await cache.addresses(of: url, allowPrivate: false) }
        #expect(counting.calls.withLock { $0 } == 3)
    }

    @Test func aRefusalIsNotKept() async throws {
        let counting = CountingCheck()
        let cache = CheckedAddressCache(check: counting.check)
        counting.refusing.withLock { $0 = true }
        await #expect(throws: NoSuchHost.self) { try await cache.addresses(of: url, allowPrivate: false) }
        counting.refusing.withLock { $0 = false }
        #expect(try await cache.addresses(of: url, allowPrivate: false).count == 1)
        #expect(counting.calls.withLock { $0 } == 2)
    }

    /// Plain http is refused where private addresses are, even when the same host and port
    /// passed over https (or with private addresses allowed) a moment before.
    @Test func aCachedPassDoesNotStandInForAStricterCheck() async throws {
        let cache = CheckedAddressCache()
        #expect(try await cache.addresses(of: try OutboundURL("https://localhost:8080/"), allowPrivate: true).isEmpty == false)
        await #expect(throws: OutboundURL.Refusal.self) { try await cache.addresses(of: try OutboundURL("https://localhost:8080/"), allowPrivate: false) }
        #expect(try await cache.addresses(of: try OutboundURL("http://localhost:8080/"), allowPrivate: true).isEmpty == false)
        await #expect(throws: OutboundURL.Refusal.self) { try await cache.addresses(of: try OutboundURL("http://localhost:8080/"), allowPrivate: false) }
    }
}
