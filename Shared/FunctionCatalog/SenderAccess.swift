/// The settings that decide who may send to a function that takes requests from outside
/// services (a CRM's webhook, Kommo's Salesbot). Each is an environment variable; the
/// functions read them by these names and `runtime serve` and `host-config` check them.
///
/// Intake is closed by default: a webhook function with no token, no signing secret and no
/// sender allowlist refuses every request (401) until one is set, or until the operator opens
/// it by name with `<openAccess>=none`.
public struct SenderAccess: Sendable, Equatable {
    /// A shared secret senders present as `?token=` or `X-Webhook-Token`.
    public let token: String?
    /// An HMAC secret the sender signs each body with.
    public let signingSecret: String?
    /// Sender addresses and CIDR ranges; anyone else gets 403.
    public let allowedIPs: String
    /// Requests a minute per sender address (an IPv6 sender per /64).
    public let rateLimit: String
    /// `none` accepts requests that nothing authenticates. Nil for a function whose requests
    /// always carry their own proof (the Salesbot's signed token).
    public let openAccess: String?

    public init(token: String?, signingSecret: String? = nil, allowedIPs: String, rateLimit: String, openAccess: String?) {
        self.token = token
        self.signingSecret = signingSecret
        self.allowedIPs = allowedIPs
        self.rateLimit = rateLimit
        self.openAccess = openAccess
    }

    /// The four settings of a webhook function, `LEADWIRE_<name>_TOKEN` and so on.
    init(webhook name: String, signingSecret: String? = nil) {
        let prefix = "LEADWIRE_" + name
        self.init(
            token: prefix + "_TOKEN", signingSecret: signingSecret, allowedIPs: prefix + "_ALLOWED_IPS", rateLimit: prefix + "_RATE_LIMIT",
            openAccess: prefix + "_AUTH")
    }

    public static let kommoWebhook = SenderAccess(webhook: "KOMMO_WEBHOOK")
    public static let amocrmWebhook = SenderAccess(webhook: "AMOCRM_WEBHOOK")
    public static let knowlarityWebhook = SenderAccess(webhook: "KNOWLARITY_WEBHOOK", signingSecret: "LEADWIRE_KNOWLARITY_SIGNING_SECRET")
    public static let widgetRequest = SenderAccess(
        token: nil, allowedIPs: "LEADWIRE_WIDGET_REQUEST_ALLOWED_IPS", rateLimit: "LEADWIRE_WIDGET_REQUEST_RATE_LIMIT", openAccess: nil)

    /// The settings any one of which authenticates senders.
    public var authenticators: [String] { [token, signingSecret].compactMap { $0 } + [allowedIPs] }

    /// Every setting named here.
    public var settings: [String] { authenticators + [rateLimit] + (openAccess.map { [$0] } ?? []) }

    /// Whether `settings` (names to values) authenticate senders: one authenticator is set,
    /// directly or as its `_FILE`.
    public func authenticates(_ settings: [String: String]) -> Bool {
        authenticators.contains { name in settings[name].map { !$0.isEmpty } == true || settings[name + "_FILE"].map { !$0.isEmpty } == true }
    }

    /// Whether `settings` open the intake to unauthenticated senders by name.
    public func isOpenedByChoice(_ settings: [String: String]) -> Bool {
        openAccess.flatMap { settings[$0] }?.lowercased() == "none"
    }

    /// The refusal's text: what to set, or how to open the intake on purpose.
    public func howToAuthenticate(_ function: String) -> String {
        var ways = [String]()
        if let token { ways.append("\(token) (a secret senders put in ?token= or X-Webhook-Token)") }
        if let signingSecret { ways.append("\(signingSecret) (senders sign each body with HMAC-SHA256)") }
        ways.append("\(allowedIPs) (the senders' addresses)")
        let opening = openAccess.map { " To accept requests from anyone, set \($0)=none." } ?? ""
        return "\(function) accepts no unauthenticated requests: set \(ways.joined(separator: ", or "))." + opening
    }
}
