/// Something a process keeps that talks to a server (the PostgreSQL store) and counts its round
/// trips, so each request's log line can say how many it took: on a network, they are most of
/// a request's time.
public protocol RoundTripCounting: AnyObject {
    /// Round trips since it was made; only ever grows.
    var roundTrips: Int { get }
}
