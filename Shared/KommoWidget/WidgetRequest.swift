public import FunctionKit
import HTTPTypes

/// A Salesbot widget step's request, checked: `{"token": "<JWT>", "data": {…}, "return_url":
/// "https://{subdomain}.kommo.com/api/v4/salesbot/{bot}/continue/{id}"}`. The return URL must
/// be on the token's own account host (Kommo, or amoCRM's .amocrm.ru and .amocrm.com) and be
/// a bot continuation, because the reply goes there with the account's access token.
public struct WidgetRequest: Sendable {
    public let token: SalesbotToken
    public let data: JSONValue
    public let returnURL: String

    static let hostDomains = ["kommo.com", "amocrm.ru", "amocrm.com"]

    public init(_ body: JSONValue, settings: WidgetSettings, now: Int64) throws(HTTPError) {
        guard let tokenText = body["token"]?.text, !tokenText.isEmpty else {
            throw .unauthorized("The request has no `token`: a Salesbot widget step sends one, signed with the integration secret.")
        }
        do {
            token = try SalesbotToken.verify(
                tokenText, secret: settings.secret, clientID: settings.clientID, now: now, leewaySeconds: settings.leewaySeconds,
                maximumLength: settings.maxTokenBytes)
        } catch {
            throw HTTPError(.unauthorized, code: .invalidToken, message: "The widget token was refused: \(error.reason).")
        }
        switch body["data"] {
        case nil, .null?: data = .object(JSONObject())
        case .object?: data = body["data"]!
        default: throw .badRequest("`data` must be an object (the widget step's params.data).", code: .invalidRequest)
        }
        guard let returnURL = body["return_url"]?.text else {
            throw .badRequest("`return_url` is required: the bot waits until its reply arrives there.", code: .invalidRequest)
        }
        guard Self.isContinuation(returnURL, subdomain: token.subdomain) else {
            throw .badRequest(
                "`return_url` must be https://\(token.subdomain).kommo.com/api/v4/salesbot/…/continue/… (the token's own account); the reply carries its access token.",
                code: .invalidReturnUrl)
        }
        self.returnURL = returnURL
    }

    /// `https://{subdomain}.{Kommo domain}/api/v4/{salesbot|marketingbot}/{id}/continue/{id}`.
    static func isContinuation(_ url: String, subdomain: String) -> Bool {
        guard url.utf8.count <= 2048, url.hasPrefix("https://") else { return false }
        let rest = url.dropFirst(8)
        guard let slash = rest.firstIndex(of: "/") else { return false }
        let host = rest[..<slash].lowercased()
        guard Self.hostDomains.contains(where: { host == "\(subdomain).\($0)" }) else { return false }
        let segments = rest[slash...].split(separator: "/", omittingEmptySubsequences: false)
        let plain = { (segment: Substring) in
            !segment.isEmpty && segment.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x2D || $0 == 0x5F }
        }
        return segments.count == 7 && segments[0].isEmpty && segments[1] == "api" && segments[2] == "v4"
            && (segments[3] == "salesbot" || segments[3] == "marketingbot") && plain(segments[4]) && segments[5] == "continue" && plain(segments[6])
    }

    /// The outbox message the worker turns into the reply.
    var message: JSONValue {
        .object(
            JSONObject([
                ("return_url", .string(returnURL)), ("account_id", JSONValue(token.accountID)), ("subdomain", .string(token.subdomain)),
                ("entity_id", JSONValue(token.entityID)), ("entity_type", JSONValue(token.entityType)), ("data", data),
            ]))
    }
}
