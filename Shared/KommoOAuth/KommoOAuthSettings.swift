public import FunctionKit

/// The Kommo integration Leadwire acts as (its id, secret and redirect URI, from the
/// integration's settings in Kommo) and how it calls Kommo.
public struct KommoOAuthSettings: Sendable, CustomStringConvertible {
    public let clientID: String
    let clientSecret: String
    let redirectURI: String
    /// Kommo's consent page; amoCRM accounts use https://www.amocrm.ru/oauth.
    let authorizeURL: String
    /// Every call meant for an account's Kommo host goes to this origin instead (a local
    /// stand-in in tests, or an egress proxy); unset, calls go to the account's own host.
    let apiOrigin: String?
    /// Calls to one account's API per second, counted across every process sharing the store.
    let requestsPerSecond: Int
    /// A 429 with a `Retry-After` up to this many seconds is waited out once; a longer one is
    /// passed to the caller.
    let maxRetryWaitSeconds: Int
    let timeoutMilliseconds: Int64
    /// The most of a Kommo answer the proxy reads (a page of 250 leads is well under it).
    let maxAnswerBytes: Int
    /// LEADWIRE_KOMMO_ALLOWED_ACCOUNTS: when set, only these accounts may connect.
    let allowedAccounts: AllowedAccounts?

    public init(_ environment: Environment) throws(ConfigurationError) {
        func required(_ name: String) throws(ConfigurationError) -> String {
            guard let value = environment[name] else {
                throw ConfigurationError(message: "\(name) is not set; copy it from the integration's settings in Kommo.")
            }
            return value
        }
        clientID = try required("LEADWIRE_KOMMO_CLIENT_ID")
        clientSecret = try required("LEADWIRE_KOMMO_CLIENT_SECRET")
        redirectURI = try required("LEADWIRE_KOMMO_REDIRECT_URI")
        authorizeURL = environment["LEADWIRE_KOMMO_AUTHORIZE_URL"] ?? "https://www.kommo.com/oauth"
        apiOrigin = environment["LEADWIRE_KOMMO_API_ORIGIN"].map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        requestsPerSecond = try environment.integer("LEADWIRE_KOMMO_API_RATE_LIMIT", default: 7)
        maxRetryWaitSeconds = try environment.integer("LEADWIRE_KOMMO_API_MAX_WAIT_SECONDS", default: 5)
        timeoutMilliseconds = Int64(try environment.integer("LEADWIRE_KOMMO_API_TIMEOUT_MS", default: 15_000))
        maxAnswerBytes = try environment.integer("LEADWIRE_KOMMO_API_MAX_ANSWER_BYTES", default: 8 * 1_048_576)
        allowedAccounts = try environment["LEADWIRE_KOMMO_ALLOWED_ACCOUNTS"].map(AllowedAccounts.init)
    }

    /// The URL for `path` (with its query) on an account's host.
    func url(on host: KommoAccountHost, _ pathAndQuery: String) -> String {
        (apiOrigin ?? "https://\(host.name)") + pathAndQuery
    }

    /// The secret never appears in a log line or an error.
    public var description: String { "Kommo integration \(clientID) (secret redacted)" }
}
