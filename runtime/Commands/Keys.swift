import Foundation
import Admin
import ArgumentParser
import LeadwireStore

struct Keys: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke admin API keys.", subcommands: [Create.self, List.self, Revoke.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a key and print it once; only its hash is stored.")

        @Option(help: "A unique name for the key (who or what uses it).")
        var name: String

        @Option(help: "Comma-separated scopes: \(Scope.allCases.map(\.rawValue).joined(separator: ", ")).")
        var scopes: String

        @OptionGroup var options: RuntimeOptions

        func run() throws {
            var parsed = Set<Scope>()
            for item in scopes.split(separator: ",") {
                guard let scope = Scope(rawValue: item.trimmingCharacters(in: .whitespaces)) else {
                    throw CommandFailure("Unknown scope \(item); use \(Scope.allCases.map(\.rawValue).joined(separator: ", ")).")
                }
                parsed.insert(scope)
            }
            guard !parsed.isEmpty else { throw CommandFailure("Give at least one scope.") }
            let database = try options.openDatabase()
            let keys = ApiKeys(database: database)
            if let existing = try keys.list().first(where: { $0.name == name }) {
                // Names stay unique, revoked keys included, so the audit trail names one key.
                throw CommandFailure(
                    existing.revokedAt == nil
                        ? "A key named \(name) exists already, and names are never reused (the audit trail names one key): pick another name. "
                            + "To replace the key, create the new one under another name, then revoke this one with `runtime keys revoke --name \(name)`."
                        : "A key named \(name) existed and was revoked (\(existing.revokedAt!)); names are not reused, so pick another name.")
            }
            let key = try database.transaction { try keys.create(name: name, scopes: parsed) }
            print(key)
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List keys: name, prefix, scopes, created, revoked.")

        @OptionGroup var options: RuntimeOptions

        func run() throws {
            let keys = try ApiKeys(database: options.openExistingDatabase()).list()
            guard !keys.isEmpty else {
                print("No keys yet; create one with `runtime keys create --name NAME --scopes logs:read`.")
                return
            }
            print(["NAME", "PREFIX", "SCOPES", "CREATED", "STATE"].joined(separator: "\t"))
            for key in keys {
                let scopes = key.scopes.map(\.rawValue).sorted().joined(separator: ",")
                print([key.name, key.prefix + "…", scopes, key.createdAt, key.revokedAt.map { "revoked " + $0 } ?? "active"].joined(separator: "\t"))
            }
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a key by name; requests with it get 401 at once.")

        @Option(help: "The key's name.")
        var name: String

        @OptionGroup var options: RuntimeOptions

        func run() throws {
            let database = try options.openExistingDatabase()
            guard try database.transaction({ try ApiKeys(database: database).revoke(name: name) }) else {
                throw CommandFailure("No active key named \(name).")
            }
            print("revoked \(name)")
        }
    }
}
