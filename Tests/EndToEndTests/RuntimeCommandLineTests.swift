import Foundation
import FunctionKit
import TestSupport
import Testing

/// `runtime` as a person types it: the version, a mistyped command, and admin keys.
@Suite struct RuntimeCommandLineTests {
    let scratch = Scratch("cli")

    func runtime(_ arguments: [String]) throws -> (status: Int32, output: String) {
        try ServerProcess.runToEnd(
            try Products.url("runtime").path, arguments, environment: scratch.openSettings.merging(["PATH": "/usr/bin:/bin"]) { $1 })
    }

    @Test func theVersionIsPrintedBothWays() throws {
        #expect(try runtime(["--version"]) == (0, LeadwireVersion.string + "\n"))
        #expect(try runtime(["version"]) == (0, LeadwireVersion.string + "\n"))
    }

    /// With `serve` as the default command, a typo was taken for serve's arguments and answered
    /// with serve's usage.
    @Test func aMistypedCommandListsTheCommands() throws {
        let (status, output) = try runtime(["key", "list"])
        #expect(status != 0)
        #expect(output.contains("unknown command 'key'"), "the error names what was typed: \(output)")
        #expect(output.contains("Did you mean `runtime keys`?"), "\(output)")
        #expect(output.contains("serve") && output.contains("host-config"), "the commands are listed: \(output)")
        #expect(!output.contains("--cgi"), "not serve's usage: \(output)")
    }

    /// An option is offered only where it does something.
    @Test func functionsDirIsAnOptionOfTheCommandsThatStartFunctionsOnly() throws {
        for command in [["serve"], ["invoke"], ["host-config"]] {
            #expect(try runtime(command + ["--help"]).output.contains("--functions-dir"), "\(command)")
        }
        for command in [["migrate"], ["keys", "create"], ["keys", "list"], ["functions"]] {
            #expect(!(try runtime(command + ["--help"]).output.contains("--functions-dir")), "\(command)")
        }
    }

    @Test func keysAreListedUnderAHeaderAndARevokedNameIsNotReused() throws {
        // A command that only reads does not make a SQLite file where there was none.
        if !TestStore.isPostgres {
            let nowhere = try runtime(["keys", "list"])
            #expect(nowhere.status != 0 && nowhere.output.contains("There is no database at \(scratch.databasePath)"), "\(nowhere.output)")
            #expect(!FileManager.default.fileExists(atPath: scratch.databasePath))
            #expect(!nowhere.output.contains("Usage:"), "a command's own error is not followed by the top-level usage")
        }
        #expect(try runtime(["migrate"]).status == 0)
        #expect(try runtime(["keys", "list"]).output.contains("No keys yet"))
        #expect(try runtime(["keys", "create", "--name", "ops", "--scopes", "logs:read"]).output.hasPrefix("lw_"))
        let listing = try runtime(["keys", "list"]).output.split(separator: "\n")
        #expect(listing.first == "NAME\tPREFIX\tSCOPES\tCREATED\tSTATE")
        #expect(listing.count == 2 && listing[1].hasPrefix("ops\tlw_"))

        let again = try runtime(["keys", "create", "--name", "ops", "--scopes", "logs:read"])
        #expect(again.status != 0)
        #expect(again.output.contains("A key named ops exists already") && again.output.contains("never reused"), "\(again.output)")
        #expect(try runtime(["keys", "revoke", "--name", "ops"]).status == 0)
        let reused = try runtime(["keys", "create", "--name", "ops", "--scopes", "logs:read"])
        #expect(reused.status != 0)
        #expect(reused.output.contains("was revoked") && !reused.output.contains("2067"), "\(reused.output)")
    }

    @Test func settingsComeFromAFileAndTheEnvironmentWins() async throws {
        let file = scratch.folder.appending(path: "leadwire.env")
        try """
            # Kommo's secret
            export LEADWIRE_KOMMO_WEBHOOK_TOKEN="s3cret"
            LEADWIRE_AMOCRM_WEBHOOK_TOKEN=from-file

            """.replacingOccurrences(of: "\n", with: "\r\n")  // as saved on Windows
            .write(to: file, atomically: true, encoding: .utf8)
        let (server, base) = try await startRuntime(
            in: scratch, settings: ["LEADWIRE_AMOCRM_WEBHOOK_TOKEN": "from-environment"], arguments: ["--env-file", file.path])
        #expect(try await http("POST", base + "/kommo-webhook", body: kommoLeadForm(id: 1, name: "No token")).status == 401)
        #expect(try await http("POST", base + "/kommo-webhook?token=s3cret", body: kommoLeadForm(id: 2, name: "Token")).status == 200)
        #expect(try await http("POST", base + "/webhook/amocrm?token=from-file", body: amoWonDealForm(id: 3, utmSource: "x")).status == 401)
        #expect(try await http("POST", base + "/webhook/amocrm?token=from-environment", body: amoWonDealForm(id: 3, utmSource: "x")).status == 200)
        _ = server
    }

    @Test func aBadSettingsFileNamesTheLine() throws {
        let file = scratch.folder.appending(path: "bad.env")
        try "LEADWIRE_PORT=8080\nHOME=/root\n".write(to: file, atomically: true, encoding: .utf8)
        let (status, output) = try runtime(["migrate", "--env-file", file.path])
        #expect(status != 0)
        #expect(output.contains("line 2") && output.contains("HOME is not a Leadwire setting"), "\(output)")
    }
}
