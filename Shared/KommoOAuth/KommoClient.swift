public import FunctionKit
public import LeadwireStore
public import HTTPTypes
public import OutboundHTTP
import OutboundURLCheck

#if canImport(Glibc)
import Glibc
#endif

/// Everything that calls Kommo for one store: exchanging a code, refreshing tokens (one
/// process at a time per account), and API calls within the account's rate limit.
///
/// Synchronous: a function's handler calls it directly; the worker calls it for a widget
/// reply. The HTTP exchanges run on NIO's threads, so waiting here starves nothing.
public struct KommoClient {
    public let settings: KommoOAuthSettings
    public let connections: KommoConnections
    let database: Database
    let http: HTTPClient
    let logger: Logger
    let clock: @Sendable () -> Timestamp
    /// This process's name on a refresh lease.
    let owner = Identifiers.randomHex(byteCount: 8)

    /// A token within this much of its expiry is refreshed before use.
    static let refreshMarginSeconds: Int64 = 300
    /// Longer than a token call can take, so a lease outlives its holder only when it died.
    static let refreshLeaseSeconds: Int64 = 60

    public init(
        settings: KommoOAuthSettings, connections: KommoConnections, database: Database, http: HTTPClient, logger: Logger,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now
    ) {
        self.settings = settings
        self.connections = connections
        self.database = database
        self.http = http
        self.logger = logger
        self.clock = clock
    }

    // MARK: Tokens

    /// Trades a consent's code for tokens at the account's own host and stores them, unless
    /// `permit` (called with the account the tokens are for, before anything is stored) throws.
    func connect(code: String, host: KommoAccountHost, permit: (Int64) throws -> Void) throws -> KommoConnection {
        let answer = try tokenCall(host: host, ["grant_type": "authorization_code", "code": code])
        guard answer.status == 200 else {
            throw HTTPError.badRequest("Kommo refused the code (\(answer.status)): \(Self.problem(answer)). Codes last 20 minutes and work once; connect again.", code: .codeRefused)
        }
        guard let grant = TokenGrant(Self.json(answer)) else { throw Self.unreadable("token", answer) }
        guard let accountID = try grant.accountID ?? accountOfToken(grant.accessToken, host: host) else {
            throw HTTPError(.badGateway, code: .kommoUnreadable, message: "Kommo's token names no account, and /api/v4/account did not say.")
        }
        try permit(accountID)
        try database.transaction { try connections.save(grant, accountID: accountID, host: host, now: clock(), refreshed: false) }
        logger.info("kommo_connected", ["account_id": JSONValue(accountID), "base_domain": .string(host.name)])
        guard let connection = try connections.connection(accountID) else { throw HTTPError.internalError("The connection was not stored.") }
        return connection
    }

    /// The account's connection with an access token good for a while, refreshed first when it
    /// is near its expiry, or when `rejected` (a token Kommo just answered 401 to) is still
    /// the stored one. Only the process holding the account's refresh lease refreshes; the
    /// others wait for it and read the new token.
    public func usableConnection(_ accountID: Int64, rejected: String? = nil) throws -> KommoConnection {
        for _ in 0..<100 {
            guard let connection = try connections.connection(accountID) else { throw Self.notConnected(String(accountID)) }
            guard connection.status == .connected else { throw Self.needsReauthorization(connection) }
            let now = clock()
            let fresh = connection.expiresAt.secondsSince1970 - now.secondsSince1970 > Self.refreshMarginSeconds
            if fresh && (rejected == nil || connection.accessToken != rejected) { return connection }
            if try connections.takeRefreshLease(accountID, owner: owner, now: now, seconds: Self.refreshLeaseSeconds) {
                return try refresh(accountID, rejected: rejected)
            }
            usleep(100_000)
        }
        throw HTTPError.serviceUnavailable("Another process has been refreshing account \(accountID)'s token for 10 seconds; retry later.")
    }

    /// Refreshes under the lease just taken. The stored row is read again first: another
    /// process may have finished a refresh between our read and our lease.
    private func refresh(_ accountID: Int64, rejected: String?) throws -> KommoConnection {
        guard let connection = try connections.connection(accountID) else { throw Self.notConnected(String(accountID)) }
        let fresh = connection.expiresAt.secondsSince1970 - clock().secondsSince1970 > Self.refreshMarginSeconds
        if connection.status == .connected && fresh && (rejected == nil || connection.accessToken != rejected) {
            try connections.releaseRefreshLease(accountID, owner: owner)
            return connection
        }
        let answer: HTTPClient.Answer
        do {
            answer = try tokenCall(host: connection.host, ["grant_type": "refresh_token", "refresh_token": connection.refreshToken])
        } catch {
            try? connections.releaseRefreshLease(accountID, owner: owner)
            throw error
        }
        switch answer.status {
        case 200:
            guard let grant = TokenGrant(Self.json(answer)) else {
                try? connections.releaseRefreshLease(accountID, owner: owner)
                throw Self.unreadable("refresh", answer)
            }
            // The new pair is stored before it is used: the old refresh token dies with its first use.
            try database.transaction { try connections.save(grant, accountID: accountID, host: connection.host, now: clock(), refreshed: true) }
            logger.info("kommo_token_refreshed", ["account_id": JSONValue(accountID)])
            guard let refreshed = try connections.connection(accountID) else { throw Self.notConnected(String(accountID)) }
            return refreshed
        case 400, 401, 403:
            let reason = "Kommo refused the refresh token (\(answer.status)): \(Self.problem(answer))"
            try connections.markNeedsReauthorization(accountID, reason: reason)
            logger.error("kommo_refresh_refused", ["account_id": JSONValue(accountID), "reason": .string(reason)])
            guard let marked = try connections.connection(accountID) else { throw Self.notConnected(String(accountID)) }
            throw Self.needsReauthorization(marked)
        default:
            try? connections.releaseRefreshLease(accountID, owner: owner)
            throw HTTPError(.badGateway, code: .kommoUnavailable, message: "Kommo's token endpoint answered \(answer.status); retry later.")
        }
    }

    /// `POST https://{account host}/oauth2/access_token` with the integration's credentials.
    private func tokenCall(host: KommoAccountHost, _ grant: [String: String]) throws -> HTTPClient.Answer {
        var fields: [(key: String, value: JSONValue)] = [
            ("client_id", .string(settings.clientID)), ("client_secret", .string(settings.clientSecret)),
            ("redirect_uri", .string(settings.redirectURI)),
        ]
        for (name, value) in grant.sorted(by: { $0.key < $1.key }) { fields.append((name, .string(value))) }
        return try send(.post, settings.url(on: host, "/oauth2/access_token"), headers: [("Content-Type", "application/json")],
            body: Array(JSONValue.object(JSONObject(fields)).jsonText.utf8), maxBodyBytes: 64 * 1024)
    }

    /// The account a token belongs to, asked of Kommo when the token itself does not say.
    private func accountOfToken(_ token: String, host: KommoAccountHost) throws -> Int64? {
        let answer = try send(.get, settings.url(on: host, "/api/v4/account"), headers: [("Authorization", "Bearer \(token)")], maxBodyBytes: 64 * 1024)
        return answer.status == 200 ? Self.json(answer)["id"]?.int64 : nil
    }

    /// The account a caller names (id or subdomain; none when only one is connected), or the
    /// error that says what to name.
    func connection(named name: String?) throws -> KommoConnection { try connections.connection(named: name) }

    // MARK: API calls

    /// One API call for the account: counted against its per-second limit first; a 401 refreshes
    /// the token and tries once more; a 429 whose wait is short is waited out once.
    public func call(_ method: HTTPRequest.Method, _ pathAndQuery: String, body: [UInt8]? = nil, account accountID: Int64) throws -> HTTPClient.Answer {
        var connection = try usableConnection(accountID)
        var refreshed = false
        var waited = false
        while true {
            try admit(accountID)
            var headers = [("Authorization", "Bearer \(connection.accessToken)"), ("Accept", "application/json")]
            if body != nil { headers.append(("Content-Type", "application/json")) }
            let answer = try send(method, settings.url(on: connection.host, pathAndQuery), headers: headers, body: body ?? [], maxBodyBytes: settings.maxAnswerBytes + 1)
            if answer.status == 401 && !refreshed {
                refreshed = true
                connection = try usableConnection(accountID, rejected: connection.accessToken)
                continue
            }
            if answer.status == 429 && !waited, let seconds = Self.retryAfter(answer), seconds <= settings.maxRetryWaitSeconds {
                waited = true
                logger.info("kommo_rate_limited", ["account_id": JSONValue(accountID), "retry_after": JSONValue(Int64(seconds))])
                sleep(UInt32(seconds))
                continue
            }
            guard answer.body.count <= settings.maxAnswerBytes else {
                throw HTTPError(.badGateway, code: .kommoAnswerTooLarge, message: "Kommo's answer is over LEADWIRE_KOMMO_API_MAX_ANSWER_BYTES (\(settings.maxAnswerBytes)); ask for a smaller page.")
            }
            return answer
        }
    }

    /// Counts a call against the account's calls this second (shared through the store by
    /// every process); over the limit, waits for the next second, up to two seconds in all.
    func admit(_ accountID: Int64) throws {
        for _ in 0..<3 {
            let now = clock().millisecondsSince1970
            let second = now / 1000
            let count = try database.queryRow(
                """
                INSERT INTO kommo_api_calls (account_id, second, count) VALUES (?1, ?2, 1)
                ON CONFLICT (account_id) DO UPDATE SET
                    count = CASE WHEN kommo_api_calls.second = ?2 THEN kommo_api_calls.count + 1 ELSE 1 END, second = ?2
                RETURNING count
                """, [.integer(accountID), .integer(second)])?[0].integer ?? 0
            if count <= settings.requestsPerSecond { return }
            usleep(UInt32((second + 1) * 1000 - now) * 1000)
        }
        throw HTTPError(
            .tooManyRequests, code: .rateLimited,
            message: "Account \(accountID) is at its limit of \(settings.requestsPerSecond) Kommo calls a second (LEADWIRE_KOMMO_API_RATE_LIMIT); retry shortly.",
            headers: [.retryAfter: "1"])
    }

    private func send(_ method: HTTPRequest.Method, _ urlText: String, headers: [(String, String)], body: [UInt8] = [], maxBodyBytes: Int) throws -> HTTPClient.Answer {
        do {
            let url = try OutboundURL(urlText)
            // Only an origin the operator set may be plain http or a private address.
            let addresses = try url.checkedAddresses(allowPrivate: settings.apiOrigin != nil)
            return try http.sendBlocking(
                method, to: url, atFirstOf: addresses, headers: headers + [("User-Agent", "Leadwire/\(LeadwireVersion.string)")], body: body,
                timeoutMilliseconds: settings.timeoutMilliseconds, maxBodyBytes: maxBodyBytes)
        } catch {
            logger.error("kommo_unreachable", ["url": .string(urlText), "message": .string(String(describing: error))])
            throw HTTPError(.badGateway, code: .kommoUnreachable, message: "Kommo could not be reached: \(error).")
        }
    }

    // MARK: Answers

    static func json(_ answer: HTTPClient.Answer) -> JSONValue {
        (try? JSONValue(parsing: answer.bodyText)) ?? .null
    }

    /// Kommo's problem+json `title`/`detail`, or the start of the body.
    static func problem(_ answer: HTTPClient.Answer) -> String {
        let body = json(answer)
        let parts = [body["title"]?.text, body["detail"]?.text, body["hint"]?.text].compactMap { $0 }
        return parts.isEmpty ? String(answer.bodyText.prefix(200)) : parts.joined(separator: ": ")
    }

    /// `Retry-After`, or the 429 body's `retry_after`.
    static func retryAfter(_ answer: HTTPClient.Answer) -> Int? {
        (answer.retryAfterSeconds ?? json(answer)["retry_after"]?.int64).map { Int(clamping: max(0, $0)) }
    }

    private static func unreadable(_ what: String, _ answer: HTTPClient.Answer) -> HTTPError {
        HTTPError(.badGateway, code: .kommoUnreadable, message: "Kommo's \(what) answer lacks access_token, refresh_token or expires_in.")
    }

    static func notConnected(_ account: String) -> HTTPError {
        HTTPError(.notFound, code: .notConnected, message: "No Kommo account \(account) is connected; open /kommo-oauth?action=authorize to connect one.")
    }

    static func needsReauthorization(_ connection: KommoConnection) -> HTTPError {
        HTTPError(
            .conflict, code: .needsReauthorization,
            message: "Kommo account \(connection.accountID) must be connected again (/kommo-oauth?action=authorize): \(connection.statusReason ?? "its tokens were refused").")
    }
}
