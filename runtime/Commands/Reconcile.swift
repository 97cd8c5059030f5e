import AmoCRM
import ArgumentParser
import Foundation
import FunctionKit
import FunctionStore
import KommoOAuth
import OutboundHTTP
import SecretSealing

struct Reconcile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare a CRM's won deals with what the store recorded (amoCRM), for cron and alerting.",
        discussion: """
            `runtime reconcile amocrm --since 2026-11-01` reads, for each connected account (or \
            LEADWIRE_AMOCRM_POLL_ACCOUNTS), the deals updated since the date, and prints the won deals missing from \
            the store, the sales the store has that amoCRM no longer shows as won, and the totals of both (--json for \
            scripts). Exit status 1 when the two disagree: `runtime poll amocrm --once` stores what is missing.
            """)

    enum Source: String, ExpressibleByArgument, CaseIterable {
        case amocrm
    }

    @Argument(help: "What to reconcile: \(Source.allCases.map(\.rawValue).joined(separator: ", ")).")
    var source: Source

    @Option(help: "An ISO 8601 date or time: deals updated since then are compared.")
    var since: String

    @Flag(help: "One JSON object instead of the table.")
    var json = false

    @OptionGroup var options: RuntimeOptions

    func run() throws {
        guard let microseconds = ISO8601Time.microseconds(since) else {
            throw CommandFailure("--since must be an ISO 8601 date or time, such as 2026-11-01 or 2026-11-01T00:00:00+05:30; got \"\(since)\".")
        }
        let sinceText = Timestamp(millisecondsSince1970: microseconds.floorDivided(by: 1000)).iso8601
        _ = try options.migrate()
        let environment = Environment(options.functionSettings())
        let context = FunctionContext(functionName: "reconcile", environment: environment, logger: FunctionKit.Logger(function: "reconcile", sink: { _ in }))
        let accounts: [AmoCRMReconciliation.Account]
        do {
            let client = try AmoCRMClients.kommoClient(environment, context: context)
            let reconciliation = AmoCRMReconciliation(client: client, environment: environment, database: try context.openStore())
            accounts = try reconciliation.run(
                since: microseconds.floorDivided(by: 1_000_000), accounts: try AmoCRMPollSettings(environment).accounts(client.connections))
        } catch let error as HTTPError {
            throw CommandFailure(error.message)
        } catch let error as ConfigurationError {
            throw CommandFailure(error.message)
        }
        if json {
            print(
                JSONValue.object(
                    JSONObject([
                        ("since", .string(sinceText)), ("agrees", .bool(accounts.allSatisfy(\.agrees))), ("accounts", .array(accounts.map(\.json))),
                    ])
                ).jsonText)
        } else {
            print(AmoCRMReconciliation.table(accounts, since: sinceText))
        }
        if !accounts.allSatisfy(\.agrees) { throw ExitCode(1) }
    }
}

/// What talks to amoCRM for the poller and the reconciliation: the Kommo OAuth client over the
/// store's connections (amoCRM accounts connect through kommo-oauth like Kommo's).
enum AmoCRMClients {
    static func kommoClient(_ environment: Environment, context: FunctionContext) throws -> KommoClient {
        let settings = try KommoOAuthSettings(environment)
        let database = try context.openStore()
        return KommoClient(
            settings: settings, connections: KommoConnections(database: database, key: try SealingKey(environment)), database: database,
            http: try HTTPClient(), logger: context.logger)
    }
}
