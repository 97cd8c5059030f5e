public import FunctionKit
import SystemCrypto
public import HTTPTypes

/// A shared secret that callers present as `?token=` (what a CRM's webhook URL field allows) or in
/// an `X-Webhook-Token` header. None of the CRMs here sign their account webhooks, so a secret
/// in the URL is the check available.
public struct WebhookToken: Sendable {
    public let expected: String?
    public let variable: String

    /// Reads the secret from `variable`; unset means no check, and so does a replay (the logs
    /// function checked the admin key that asked for it).
    public init(_ environment: Environment, variable: String) {
        self.expected = environment.isReplay ? nil : environment[variable]
        self.variable = variable
    }

    /// Throws 401 unless the request carries the secret (or none is configured).
    public func verify(_ request: Request) throws(HTTPError) {
        guard let expected else { return }
        let presented = request.query["token"] ?? request.headers[.webhookToken]
        guard let presented, constantTimeEquals(presented, expected) else {
            throw .unauthorized("A valid webhook token is required (?token= or X-Webhook-Token).")
        }
    }
}

extension HTTPField.Name {
    /// `X-Webhook-Token`: where a sender that cannot put a secret in the URL puts it.
    public static let webhookToken = HTTPField.Name("X-Webhook-Token")!
}
