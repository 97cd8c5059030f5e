public import FunctionKit

/// How widget-request checks a Salesbot's token. The secret is the integration's, the same
/// LEADWIRE_KOMMO_CLIENT_SECRET kommo-oauth uses.
public struct WidgetSettings: Sendable, CustomStringConvertible {
    let secret: [UInt8]
    /// When set, a token must carry it as `client_uuid`.
    let clientID: String?
    /// Clock difference allowed on `exp`, `nbf` and `iat`.
    let leewaySeconds: Int64
    let maxTokenBytes: Int

    public init(_ environment: Environment) throws(ConfigurationError) {
        guard let secret = environment["LEADWIRE_KOMMO_CLIENT_SECRET"] else {
            throw ConfigurationError(message: "LEADWIRE_KOMMO_CLIENT_SECRET is not set: it is the integration's secret key in Kommo, which signs each widget request.")
        }
        self.secret = Array(secret.utf8)
        clientID = environment["LEADWIRE_KOMMO_CLIENT_ID"]
        leewaySeconds = Int64(try environment.integer("LEADWIRE_WIDGET_TOKEN_LEEWAY_SECONDS", default: 60))
        maxTokenBytes = try environment.integer("LEADWIRE_WIDGET_MAX_TOKEN_BYTES", default: 8192)
    }

    public var description: String { "widget settings (secret redacted)" }
}
