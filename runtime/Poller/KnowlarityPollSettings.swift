import FunctionKit

/// The polling backup's settings, read once at start.
struct KnowlarityPollSettings: Sendable, CustomStringConvertible {
    /// `https://kpi.knowlarity.com/Basic/v1`, or a stand-in for tests.
    let apiBase: String
    /// `x-api-key`: the application access key.
    let apiKey: String
    /// `Authorization`: the SR API key, sent raw (no `Bearer`), as Knowlarity expects.
    let srKey: String
    let intervalSeconds: Int
    /// How far back each pass starts before where the last one ended, so a call that enters
    /// the log late is still found.
    let overlapSeconds: Int
    let zone: TimeZoneRule
    /// Calls asked for per page.
    static let pageSize = 100
    /// Pages one pass follows at most (a provider whose `next` never ends cannot hold it forever).
    static let maxPages = 1000

    init(_ settings: Environment) throws(ConfigurationError) {
        let environment = try settings.resolvingSecretFiles()
        guard let apiKey = environment["LEADWIRE_KNOWLARITY_API_KEY"], let srKey = environment["LEADWIRE_KNOWLARITY_SR_KEY"] else {
            throw ConfigurationError(
                message: "Polling Knowlarity needs LEADWIRE_KNOWLARITY_API_KEY (the application access key) and LEADWIRE_KNOWLARITY_SR_KEY (the SR API key).")
        }
        self.apiKey = apiKey
        self.srKey = srKey
        apiBase = environment["LEADWIRE_KNOWLARITY_API_BASE"] ?? "https://kpi.knowlarity.com/Basic/v1"
        intervalSeconds = try environment.integer("LEADWIRE_KNOWLARITY_POLL_SECONDS", default: 30)
        overlapSeconds = try environment.integer("LEADWIRE_KNOWLARITY_POLL_OVERLAP_SECONDS", default: 600)
        zone = try TimeZoneRule(environment["LEADWIRE_TIME_ZONE"] ?? "Asia/Kolkata")
    }

    var description: String { "Knowlarity call log at \(apiBase) every \(intervalSeconds) s (keys redacted)" }

    /// `2025-12-06 11:11:21+05:30`: the call log's time format, in the configured zone.
    func apiTime(_ seconds: Int64) -> String {
        let offset = Int64(zone.offset(at: seconds))
        let local = ISO8601Time.text(microseconds: (seconds + offset) * 1_000_000)
        let sign = offset < 0 ? "-" : "+"
        let minutes = abs(offset) / 60
        let hours = minutes / 60 < 10 ? "0\(minutes / 60)" : "\(minutes / 60)"
        let rest = minutes % 60 < 10 ? "0\(minutes % 60)" : "\(minutes % 60)"
        return local.prefix(10) + " " + local.dropFirst(11).prefix(8) + "\(sign)\(hours):\(rest)"
    }
}
