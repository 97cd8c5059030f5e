import NIOCore
import Synchronization

/// The outbound worker's open connections, by where they go: after a whole answer that did not
/// ask to close, a connection waits here for the next request to the same checked address,
/// port, scheme and host name (the TLS name the certificate was checked against). A connection
/// is only ever reused for the address it was made to, so a host name that now resolves
/// elsewhere gets a new connection to the address checked this time.
final class KeptConnections: Sendable {
    struct Destination: Hashable, Sendable {
        let address: String
        let port: Int
        let secure: Bool
        let host: String
    }

    struct Connection: Sendable {
        let channel: any Channel
        let reader: AnswerReader
    }

    private struct Idle {
        let connection: Connection
        let since: ContinuousClock.Instant
    }

    /// Idle connections kept per destination, and how long one may wait: receivers close idle
    /// connections themselves (nginx after 75 s), and one they closed is found out only by
    /// using it.
    static let perDestination = 64
    static let idleLimit: Duration = .seconds(30)

    private let idle = Mutex<[Destination: [Idle]]>([:])

    /// An open connection to `destination`, most recently used first, or nil.
    func take(_ destination: Destination) -> Connection? {
        var stale: [Connection] = []
        defer { for connection in stale { connection.channel.close(promise: nil) } }
        return idle.withLock { idle in
            let oldest = ContinuousClock.now - Self.idleLimit
            while let last = idle[destination]?.popLast() {
                if last.since > oldest, last.connection.channel.isActive { return last.connection }
                stale.append(last.connection)
            }
            return nil
        }
    }

    /// Keeps a connection whose answer is complete for the next request to `destination`.
    func put(_ connection: Connection, for destination: Destination) {
        let kept = idle.withLock { idle in
            guard idle[destination, default: []].count < Self.perDestination else { return false }
            idle[destination, default: []].append(Idle(connection: connection, since: .now))
            return true
        }
        if !kept { connection.channel.close(promise: nil) }
    }
}
