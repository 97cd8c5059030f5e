import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore
import OutboundHTTP
import SecretSealing

/// kommo-oauth: connects Kommo accounts through OAuth and calls Kommo's API for them (seed
/// 000's `/functions/v1/kommo-oauth`). One `action` a request:
///
/// - `GET  ?action=authorize`: admin key with the `kommo:api` scope; redirect to Kommo's
///   consent page with a single-use `state` (its URL is in the JSON too, to open in a browser).
/// - `GET  ?action=callback&code=…&state=…&referer=…`: Kommo's redirect back; the code is
///   traded for tokens at the account's own host, which are stored sealed. Only a state that
///   an admin's authorize issued is accepted, and, with LEADWIRE_KOMMO_ALLOWED_ACCOUNTS, only
///   a listed account. Kommo's `from_widget` delivery (a code without a state, when the
///   integration is installed from its widget) is accepted only for an account listed there.
/// - `GET  ?action=status`, `POST ?action=refresh`, `POST ?action=disconnect`: admin key
///   with the `kommo:api` scope; `account` (id or subdomain) in the query or body.
/// - `POST ?action=api-request`: a Kommo `/api/v4/` call for an account (see `APIRequest`).
/// - `GET  ?action=disabled&client_uuid=…&account_id=…&signature=…`: Kommo's signed notice
///   that the integration was switched off for an account; its tokens are deleted.
public enum KommoOAuthAPI {
    public static let name = "kommo-oauth"
    static let actions = ["authorize", "callback", "status", "refresh", "disconnect", "api-request", "disabled"]

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        let action = request.query["action"] ?? ""
        guard actions.contains(action) else {
            throw HTTPError.badRequest("`action` must be one of \(actions.joined(separator: ", ")).", code: .unknownAction)
        }
        let settings = try context.resources.value { try KommoOAuthSettings(context.environment) }
        let database = try context.openStore()
        switch action {
        case "authorize":
            try request.require(method: .get)
            _ = try request.requireAdminKey(.kommoAPI, in: database)
            return try authorize(request, settings: settings, database: database, context: context)
        case "callback":
            try request.require(method: .get)
            return try callback(request, settings: settings, client: try client(settings, database, context))
        case "disabled":
            try request.require(method: .get)
            let accountID = try DisabledHook.verifiedAccount(request.query, settings: settings)
            let deleted = try KommoConnections(database: database, key: try SealingKey(context.environment)).delete(accountID)
            context.logger.info("kommo_integration_disabled", ["account_id": JSONValue(accountID), "tokens_deleted": .bool(deleted)])
            return .json(["success": true, "account_id": JSONValue(accountID), "tokens_deleted": .bool(deleted)])
        default:
            break
        }
        _ = try request.requireAdminKey(.kommoAPI, in: database)
        let client = try client(settings, database, context)
        switch action {
        case "status":
            try request.require(method: .get)
            return .json(["success": true, "accounts": .array(try client.connections.all().map(\.json))])
        case "refresh":
            try request.require(method: .post)
            let connection = try named(request, client)
            let refreshed = try client.usableConnection(connection.accountID, rejected: connection.accessToken)
            return .json(["success": true, "account": refreshed.json])
        case "disconnect":
            try request.require(method: .post)
            let connection = try named(request, client)
            try client.connections.delete(connection.accountID)
            context.logger.info("kommo_disconnected", ["account_id": JSONValue(connection.accountID)])
            return .json(["success": true, "account_id": JSONValue(connection.accountID)])
        default:
            try request.require(method: .post)
            return try APIProxy.forward(try APIRequest(try body(of: request, context: context)), client: client)
        }
    }

    private static func client(_ settings: KommoOAuthSettings, _ database: Database, _ context: FunctionContext) throws -> KommoClient {
        let http = try context.resources.value { try HTTPClient() }
        return KommoClient(
            settings: settings, connections: KommoConnections(database: database, key: try SealingKey(context.environment)), database: database,
            http: http, logger: context.logger, clock: context.clock)
    }

    private static func authorize(_ request: Request, settings: KommoOAuthSettings, database: Database, context: FunctionContext) throws -> Response {
        let state = try OAuthStates(database: database).issue(now: context.clock())
        var parameters = [("client_id", settings.clientID), ("state", state)]
        if let mode = request.query["mode"], ["popup", "post_message"].contains(mode) { parameters.append(("mode", mode)) }
        let location = settings.authorizeURL + (settings.authorizeURL.contains("?") ? "&" : "?") + URLEncoding.query(parameters)
        var response = Response.json(["authorize_url": .string(location)], status: .found)
        response.headers[.location] = location
        return response
    }

    private static func callback(_ request: Request, settings: KommoOAuthSettings, client: KommoClient) throws -> Response {
        if let error = request.query["error"] {
            throw HTTPError(.forbidden, code: .accessDenied, message: "The Kommo account owner did not grant access (\(error)); nothing was stored.")
        }
        guard let code = request.query["code"], let referer = request.query["referer"] else {
            throw HTTPError.badRequest("Kommo's redirect carries code, state and referer; one is missing.", code: .invalidRequest)
        }
        guard let host = KommoAccountHost(referer) else {
            throw HTTPError.badRequest(
                "referer must be the account's Kommo host ({subdomain}.kommo.com, .amocrm.ru or .amocrm.com); got \"\(referer.prefix(100))\".",
                code: .invalidReferer)
        }
        let allowed = settings.allowedAccounts
        if let state = request.query["state"] {
            guard try OAuthStates(database: client.database).consume(state, now: client.clock()) else {
                throw HTTPError.badRequest("The state is unknown, used or older than 20 minutes; start again at ?action=authorize.", code: .invalidState)
            }
        } else if request.query["from_widget"] != nil {
            // Nothing ties this code to an admin's request, so the account must be listed.
            guard allowed?.allows(host) == true else {
                throw HTTPError(
                    .forbidden, code: .accountNotAllowed,
                    message: "A code from a widget installation is accepted only for accounts in LEADWIRE_KOMMO_ALLOWED_ACCOUNTS (by host or subdomain); \(host.name) is not there.")
            }
        } else {
            throw HTTPError.badRequest("Kommo's redirect carries code, state and referer; one is missing.", code: .invalidRequest)
        }
        let connection = try client.connect(code: code, host: host) { accountID in
            if let allowed, !allowed.allows(accountID, at: host) {
                throw HTTPError(
                    .forbidden, code: .accountNotAllowed,
                    message: "Account \(accountID) (\(host.name)) is not in LEADWIRE_KOMMO_ALLOWED_ACCOUNTS; nothing was stored.")
            }
        }
        return .json(["success": true, "account": connection.json])
    }

    /// The account a status, refresh or disconnect request names (query or body `account`).
    private static func named(_ request: Request, _ client: KommoClient) throws -> KommoConnection {
        let body = request.body.isEmpty ? nil : try? JSONValue(parsing: String(decoding: request.body, as: UTF8.self))
        let name = request.query["account"] ?? body?["account"]?.text ?? body?["account"]?.int64.map { String($0) }
        return try client.connection(named: name)
    }

    private static func body(of request: Request, context: FunctionContext) throws -> JSONValue {
        let settings = try FunctionSettings(context.environment)
        return try request.decodedBody(accepting: [.json], limits: settings.bodyLimits)
    }
}
