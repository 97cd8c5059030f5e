import AmoCRM
import FunctionKit
import KommoOAuth
import LeadwireStore

/// `runtime reconcile amocrm`: the amoCRM document's "zero data loss" check. For each account,
/// the deals amoCRM shows as won (updated since the date) against what the store recorded:
/// won deals missing from the store, sales the store has that amoCRM no longer shows as won,
/// and the totals of both.
struct AmoCRMReconciliation {
    struct Deal {
        let lead: APILead
        var json: JSONValue {
            .object(
                JSONObject([
                    ("lead_id", JSONValue(lead.id)), ("name", JSONValue(lead.name)), ("price", lead.price.map { .number(AmoCRMReconciliation.amount($0)) } ?? .null),
                    ("status_id", lead.json["status_id"] ?? .null), ("updated_at", lead.json["updated_at"] ?? .null),
                ]))
        }
    }

    struct Account {
        let connection: KommoConnection
        var won: [APILead] = []
        var missing: [Deal] = []
        var noLongerWon: [Deal] = []

        var wonAmount: Double { won.reduce(0) { $0 + ($1.price ?? 0) } }
        var recordedAmount: Double { wonAmount - missing.reduce(0) { $0 + ($1.lead.price ?? 0) } }
        var agrees: Bool { missing.isEmpty && noLongerWon.isEmpty }

        var json: JSONValue {
            .object(
                JSONObject([
                    ("account_id", JSONValue(connection.accountID)), ("host", .string(connection.host.name)), ("won", JSONValue(Int64(won.count))),
                    ("won_amount", .number(AmoCRMReconciliation.amount(wonAmount))), ("recorded", JSONValue(Int64(won.count - missing.count))),
                    ("recorded_amount", .number(AmoCRMReconciliation.amount(recordedAmount))), ("missing", .array(missing.map(\.json))),
                    ("no_longer_won", .array(noLongerWon.map(\.json))),
                ]))
        }
    }

    let client: KommoClient
    let environment: Environment
    let database: Database

    func run(since: Int64, accounts: [KommoConnection]) throws -> [Account] {
        let rule = try SaleRule(environment)
        return try accounts.map { connection in
            var account = Account(connection: connection)
            for lead in try AmoCRMLeadsReader(client: client, accountID: connection.accountID).leads(updatedSince: since) {
                if lead.isSale(rule) {
                    account.won.append(lead)
                    if try !APILead.isRecorded(lead.id, accountID: connection.accountID, in: database) { account.missing.append(Deal(lead: lead)) }
                } else if try APILead.isRecorded(lead.id, accountID: connection.accountID, salesOnly: true, in: database) {
                    account.noLongerWon.append(Deal(lead: lead))
                }
            }
            return account
        }
    }

    /// An amount as JSON and people write it: whole amounts without a fraction.
    static func amount(_ value: Double) -> String {
        value.isFinite && value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : value.isFinite ? String(value) : "0"
    }

    /// The report as a person reads it.
    static func table(_ accounts: [Account], since: String) -> String {
        var lines: [String] = []
        for account in accounts {
            lines.append("amoCRM account \(account.connection.host.name) (\(account.connection.accountID)), deals updated since \(since)")
            lines.append("  won in amoCRM:  \(account.won.count) (amount \(amount(account.wonAmount)))")
            lines.append("  in the store:   \(account.won.count - account.missing.count) (amount \(amount(account.recordedAmount)))")
            lines.append("  missing:        \(account.missing.count)")
            for deal in account.missing { lines.append("    lead \(deal.lead.id)  \(deal.lead.name ?? "")  \(amount(deal.lead.price ?? 0))") }
            lines.append("  no longer won:  \(account.noLongerWon.count)")
            for deal in account.noLongerWon {
                lines.append("    lead \(deal.lead.id)  \(deal.lead.name ?? "")  (status \(deal.lead.json["status_id"]?.int64.map(String.init) ?? "?"))")
            }
        }
        return lines.joined(separator: "\n")
    }
}
