import FunctionKit
import HTTPTypes
import KommoOAuth
import KommoWidget
import LeadwireStore
import Outbound
import OutboundHTTP
import OutboundURLCheck
import SecretSealing

/// Resumes the Salesbots waiting on widget requests. The reply comes from the responder
/// service (LEADWIRE_WIDGET_RESPONDER_URL, which gets the request's data and answers with the
/// reply) or from the keyword rules (`KeywordRules`); a responder that fails or answers something Kommo would
/// refuse gives way to the fallback reply and a log line, so a bot is never left silent. The
/// reply goes to the request's `return_url` with the account's OAuth access token, and only
/// when that URL is on the host the account connected from.
struct WidgetReplies: Sendable {
    let settings: WidgetReplySettings
    let kommo: KommoOAuthSettings
    let key: SealingKey
    let client: HTTPClient
    let openDatabase: @Sendable () throws -> Database
    let log: Logger

    func deliver(_ message: QueuedMessage) async throws -> AttemptResult {
        let request = try JSONValue(parsing: message.payload)
        guard let accountID = request["account_id"]?.int64, let returnURL = request["return_url"]?.text else {
            return failure("the queued widget request lacks account_id or return_url")
        }
        let reply = await reply(to: request, message: message)
        let database = try openDatabase()
        let kommoClient = KommoClient(
            settings: kommo, connections: KommoConnections(database: database, key: key), database: database, http: client, logger: log)
        guard let connection = try kommoClient.connections.connection(accountID) else {
            return failure("Kommo account \(accountID) is not connected (/kommo-oauth?action=authorize); the reply waits for it")
        }
        let prefix = "https://\(connection.host.name)/"
        guard returnURL.lowercased().hasPrefix(prefix) else {
            return failure("return_url is not on \(connection.host.name), the host account \(accountID) connected from; not sent")
        }
        let answer = try kommoClient.call(.post, "/" + returnURL.dropFirst(prefix.count), body: Array(reply.body.jsonText.utf8), account: accountID)
        return AttemptResult(
            httpStatus: answer.status, responseExcerpt: String(answer.bodyText.prefix(HTTPClient.excerptBytes)), error: nil, durationMilliseconds: 0,
            retryAfterSeconds: answer.retryAfterSeconds)
    }

    private func reply(to request: JSONValue, message: QueuedMessage) async -> SalesbotReply {
        let data = request["data"] ?? .object(JSONObject())
        guard let responder = settings.responderURL else { return settings.rules.reply(to: data) }
        do {
            let url = try OutboundURL(responder)
            let answer = try await client.send(
                to: url, atFirstOf: try url.checkedAddresses(allowPrivate: true), headers: [("Content-Type", "application/json")],
                body: Array(request.jsonText.utf8), timeoutMilliseconds: settings.responderTimeoutMilliseconds, maxBodyBytes: 256 * 1024)
            guard (200..<300).contains(answer.status) else {
                log.error("widget_responder_failed", ["message": JSONValue(message.id), "http_status": JSONValue(Int64(answer.status))])
                return .text(settings.rules.fallback, source: "fallback")
            }
            return try SalesbotReply(responderAnswer: try JSONValue(parsing: answer.bodyText))
        } catch {
            log.error("widget_responder_failed", ["message": JSONValue(message.id), "error": .string(String(describing: error))])
            return .text(settings.rules.fallback, source: "fallback")
        }
    }

    private func failure(_ reason: String) -> AttemptResult {
        AttemptResult(httpStatus: nil, responseExcerpt: nil, error: reason, durationMilliseconds: 0)
    }
}

/// Where widget replies come from: LEADWIRE_WIDGET_RESPONDER_URL (with its timeout) or the
/// keyword rules of LEADWIRE_WIDGET_RULES (or the file LEADWIRE_WIDGET_RULES_FILE names), whose fallback also stands in for a failed
/// responder.
struct WidgetReplySettings: Sendable {
    var responderURL: String?
    var responderTimeoutMilliseconds: Int64
    var rules: KeywordRules

    init(_ environment: Environment) throws(ConfigurationError) {
        responderURL = environment["LEADWIRE_WIDGET_RESPONDER_URL"]
        responderTimeoutMilliseconds = Int64(try environment.integer("LEADWIRE_WIDGET_RESPONDER_TIMEOUT_MS", default: 10_000))
        // LEADWIRE_WIDGET_RULES_FILE is read into LEADWIRE_WIDGET_RULES like every *_FILE setting.
        rules = try environment["LEADWIRE_WIDGET_RULES"].map { text throws(ConfigurationError) in try KeywordRules(parsing: text) } ?? KeywordRules()
    }
}
