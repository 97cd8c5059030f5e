import AmoCRM
import FunctionKit
import FunctionStore
import HTTPTypes
import KommoOAuth
import LeadwireStore

/// The amoCRM document's safety net for lost hooks: for each connected account, reads the
/// leads updated since the last pass (minus an overlap, for a hook amoCRM is still retrying),
/// and sends every won deal the store does not have through amocrm-webhook's own processing:
/// a deal seen by both is recorded, routed and announced once. Only a pass that read every
/// page of an account moves that account's cursor, so a failed one is read again.
final class AmoCRMPoller: Poller {
    let settings: AmoCRMPollSettings
    /// The functions' settings and store: the hook's processing runs with them, and amoCRM is
    /// called through the store's connections.
    let context: FunctionContext

    struct Pass: PollReport {
        var accounts = 0
        var leads = 0
        var won = 0
        var stored = 0

        var fields: [(String, Int)] { [("accounts", accounts), ("leads", leads), ("won", won), ("stored", stored)] }
    }

    init(settings: AmoCRMPollSettings, context: FunctionContext) {
        self.settings = settings
        self.context = context
    }

    var description: String { "the amoCRM poller" }
    var intervalSeconds: Int { settings.intervalSeconds }

    static func cursorName(_ accountID: Int64) -> String { "amocrm:\(accountID)" }

    func pass(now: Timestamp) async throws -> Pass {
        let database = try context.openStore()
        let client = try AmoCRMClients.kommoClient(context.environment, context: context)
        let rule = try SaleRule(context.environment)
        let end = now.secondsSince1970
        var pass = Pass()
        for account in try settings.accounts(client.connections) {
            let cursor = try database.queryRow("SELECT polled_until FROM poll_cursors WHERE name = ?", [.text(Self.cursorName(account.accountID))])?[0]
                .text.flatMap { ISO8601Time.microseconds($0) }.map { $0 / 1_000_000 }
            let since = (cursor ?? end - Int64(settings.intervalSeconds)) - Int64(settings.overlapSeconds)
            let leads = try AmoCRMLeadsReader(client: client, accountID: account.accountID).leads(updatedSince: since)
            pass.accounts += 1
            pass.leads += leads.count
            for lead in leads where lead.isSale(rule) {
                pass.won += 1
                if try store(lead, account: account, in: database) { pass.stored += 1 }
            }
            _ = try database.run(
                """
                INSERT INTO poll_cursors (name, polled_until) VALUES (?1, ?2)
                ON CONFLICT (name) DO UPDATE SET polled_until = ?2, updated_at = \(database.dialect.now)
                """, [.text(Self.cursorName(account.accountID)), .text(Timestamp.epoch.adding(seconds: end).iso8601)])
        }
        return pass
    }

    /// Sends a won deal the store does not have through the hook's processing; true when it was
    /// new. Known deals are skipped here, so overlapping passes add no log rows.
    private func store(_ lead: APILead, account: KommoConnection, in database: Database) throws -> Bool {
        guard try !APILead.isRecorded(lead.id, accountID: account.accountID, in: database) else { return false }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let body = lead.webhookBody(accountID: account.accountID, subdomain: account.host.subdomain)
        let request = Request(method: .post, path: "/webhook/amocrm", headers: headers, body: Array(body.jsonText.utf8), remoteAddress: "amocrm-poll")
        return try AmoCRMWebhook.receive(request, context: context).status == .ok
    }
}

/// The amoCRM poller's settings, read once at start.
struct AmoCRMPollSettings: Sendable {
    let intervalSeconds: Int
    let overlapSeconds: Int
    /// LEADWIRE_AMOCRM_POLL_ACCOUNTS: ids or subdomains; empty means every connected account.
    let accountNames: [String]

    init(_ environment: Environment) throws(ConfigurationError) {
        intervalSeconds = try environment.integer("LEADWIRE_AMOCRM_POLL_SECONDS", default: 300)
        overlapSeconds = try environment.integer("LEADWIRE_AMOCRM_POLL_OVERLAP_SECONDS", default: 3600)
        accountNames = (environment["LEADWIRE_AMOCRM_POLL_ACCOUNTS"] ?? "").split(separator: ",").map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
    }

    /// The accounts to read.
    func accounts(_ connections: KommoConnections) throws -> [KommoConnection] {
        if accountNames.isEmpty {
            let all = try connections.all()
            guard !all.isEmpty else { throw AmoCRMLeadsReader.Failure.broken("no account is connected (connect one at /kommo-oauth?action=authorize)") }
            return all
        }
        return try accountNames.map { try connections.connection(named: $0) }
    }
}
