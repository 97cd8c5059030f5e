import Foundation
import FunctionCatalog
import LeadwireStore
import TestSupport
import Testing

/// The units `runtime host-config systemd` writes. systemd cannot run as PID 1 here, so they are
/// checked in two halves: `systemd-analyze verify` reads them as systemd would (unknown keys,
/// a missing executable, a service without its socket), and each service is then started the
/// way its socket unit makes systemd start it: the listening socket at `ListenStream` as fd 0,
/// `ExecStart` with the unit's `Environment=` lines and nothing else.
@Suite(.serialized) struct SystemdUnitTests {
    let scratch = Scratch("systemd")

    /// The generated files by name, split at their `# file:` lines: kommo-webhook's token in a
    /// file, amoCRM's own setting, and the other webhooks opened by name.
    func units() throws -> [String: String] {
        let settings = try scratch.secretFile("LEADWIRE_KOMMO_WEBHOOK_TOKEN", "s3cret").merging(scratch.openSettings) { $1 }
            .merging(["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"]) { $1 }
        let text = try runtimeOutput(
            ["host-config", "systemd", "--state-dir", scratch.folder.path, "--functions-dir", try WebHost.sharedFunctionsDirectory()],
            environment: settings)
        var files: [String: String] = [:]
        for part in text.components(separatedBy: "# file: ").dropFirst() {
            let name = String(part.prefix { $0 != "\n" })
            files[name] = String(part.dropFirst(name.count + 1))
        }
        return files
    }

    @Test func systemdReadsEveryUnitWithoutAComplaint() throws {
        let files = try units()
        #expect(
            Set(files.keys) == Set(Catalog.functions.flatMap { ["leadwire-\($0.name).socket", "leadwire-\($0.name).service"] } + ["leadwire-worker.service"]))
        #expect(try #require(files["leadwire-worker.service"]).contains("/runtime worker\n"))
        let folder = scratch.folder.appending(path: "units")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: folder.appending(path: name), atomically: true, encoding: .utf8) }
        let (status, output) = try ServerProcess.runToEnd(
            "/usr/bin/systemd-analyze", ["verify", "--man=no"] + files.keys.sorted().map { folder.appending(path: $0).path })
        #expect(status == 0, "\(output)")
        #expect(output.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty, "systemd-analyze complained:\n\(output)")
    }

    @Test func aServiceStartedOnItsSocketStoresAnEvent() async throws {
        let files = try units()
        let socketUnit = try #require(files["leadwire-kommo-webhook.socket"])
        let service = try #require(files["leadwire-kommo-webhook.service"])
        let socketPath = try #require(Self.values(of: "ListenStream", in: socketUnit).first)
        let executable = try #require(Self.values(of: "ExecStart", in: service).first)
        // systemd copies each LoadCredential= file into the service's own credentials folder, %d.
        let credentials = scratch.folder.appending(path: "credentials")
        try FileManager.default.createDirectory(at: credentials, withIntermediateDirectories: true)
        for line in Self.values(of: "LoadCredential", in: service) {
            let parts = line.split(separator: ":", maxSplits: 1).map(String.init)
            try FileManager.default.copyItem(atPath: parts[1], toPath: credentials.appending(path: parts[0]).path)
        }
        var environment: [String: String] = [:]
        for line in Self.values(of: "Environment", in: service) {
            // Unquoted, `%d` the credentials folder, and `%%` back to `%`, as systemd reads it.
            let assignment = (line.hasPrefix("\"") && line.hasSuffix("\"") ? String(line.dropFirst().dropLast()) : line)
                .replacingOccurrences(of: "%d", with: credentials.path).replacingOccurrences(of: "%%", with: "%")
            let parts = assignment.split(separator: "=", maxSplits: 1)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        #expect(environment["LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE"] == credentials.appending(path: "kommo_webhook_token").path, "the token comes as a credential")
        #expect(!environment.keys.contains { $0.hasPrefix("LEADWIRE_AMOCRM_") }, "kommo-webhook gets amoCRM's settings: \(environment)")
        #expect(try #require(files["leadwire-amocrm-webhook.service"]).contains("LEADWIRE_AMOCRM_TARGETOLOGISTS=Kenesary=kenesary*"))
        #expect(!files.values.contains { $0.contains("s3cret") }, "a secret in a unit file")
        // Hardened: only the database folder is writable, and what a service creates is closed to others.
        #expect(Self.values(of: "UMask", in: service) == ["0027"])
        #expect(Self.values(of: "ProtectSystem", in: service) == ["strict"])
        #expect(Self.values(of: "ReadWritePaths", in: service) == [scratch.folder.path])
        #expect(Self.values(of: "NoNewPrivileges", in: service) == ["yes"])
        let function = try FastCGIFunction(
            "kommo-webhook", in: scratch, settings: environment, executable: URL(fileURLWithPath: executable), socketPath: socketPath)
        let client = try FastCGIClient(socketPath: function.socketPath)
        let refused = try client.post("/kommo-webhook", body: kommoLeadForm(id: 1, name: "No token"), keep: true)
        #expect(refused.output.status == 401)
        let answer = try FastCGIClient(socketPath: function.socketPath).post(
            "/kommo-webhook", body: kommoLeadForm(id: 2, name: "Via systemd"), headers: [("HTTP_X_WEBHOOK_TOKEN", "s3cret")])
        #expect(answer.output.status == 200)
        #expect(try scratch.database().queryRow("SELECT name FROM kommo_leads")?[0] == "Via systemd")
    }

    /// The values of `key=` lines in a unit file.
    static func values(of key: String, in unit: String) -> [String] {
        unit.split(separator: "\n").compactMap { line in line.hasPrefix(key + "=") ? String(line.dropFirst(key.count + 1)) : nil }
    }
}

/// What `runtime host-config` refuses to write, for every kind of host it writes for.
@Suite struct HostConfigSafetyTests {
    let scratch = Scratch("host-config")
    static let kinds = [["lighttpd"], ["lighttpd", "--fastcgi"], ["nginx"], ["nginx", "--fastcgi"], ["apache"], ["apache", "--fastcgi"], ["pools"], ["systemd"]]

    func hostConfig(_ kind: [String], _ settings: [String: String]) throws -> (status: Int32, output: String) {
        try ServerProcess.runToEnd(
            try Products.url("runtime").path, ["host-config"] + kind + ["--state-dir", scratch.folder.path, "--functions-dir", "/opt/leadwire"],
            environment: ["PATH": "/usr/bin:/bin"].merging(settings) { $1 })
    }

    /// Secrets given as values are left out, with a warning that says how to pass a file
    /// instead; the `_FILE` paths given go in as they are.
    @Test(arguments: kinds)
    func noSecretValueReachesAGeneratedFile(kind: [String]) throws {
        let secrets = [
            "LEADWIRE_SECRET_KEY": String(repeating: "5a", count: 32), "LEADWIRE_KOMMO_CLIENT_SECRET": "client-secret-value",
            "LEADWIRE_AMOCRM_WEBHOOK_TOKEN": "amocrm-token-value", "LEADWIRE_DATABASE_URL": "postgres://leadwire:db-password-value@db.internal/leadwire",
        ]
        let settings = scratch.openSettings.merging(secrets) { $1 }
            .merging(try scratch.secretFile("LEADWIRE_KOMMO_WEBHOOK_TOKEN", "kommo-token-value")) { $1 }
        let (status, output) = try hostConfig(kind, settings)
        #expect(status == 0, "\(kind): \(output)")
        for value in secrets.values + ["kommo-token-value"] {
            #expect(!output.contains(value), "\(kind) wrote a secret's value")
        }
        for name in secrets.keys { #expect(output.contains("warning: \(name) was given as a value"), "\(kind): no warning for \(name)") }
        // nginx and Apache pass no settings to FastCGI processes: the pools script does.
        if !(kind.contains("--fastcgi") && kind[0] != "lighttpd") {
            #expect(output.contains("LEADWIRE_KOMMO_WEBHOOK_TOKEN_FILE"), "\(kind): the token file is not passed on")
        }
    }

    /// A webhook that nothing authenticates would answer 401 to everyone: no configuration is
    /// written for it until it is opened by name.
    @Test(arguments: kinds)
    func anUnauthenticatedWebhookIsRefusedUntilOpenedByName(kind: [String]) throws {
        let (status, output) = try hostConfig(kind, scratch.storeSettings)
        #expect(status != 0)
        #expect(output.contains("LEADWIRE_KOMMO_WEBHOOK_TOKEN") && output.contains("LEADWIRE_AMOCRM_WEBHOOK_AUTH=none"), "\(output)")
        #expect(!output.contains("# Generated by"))
        #expect(try hostConfig(kind, scratch.openSettings).status == 0)
    }
}

extension HostConfigSafetyTests {
    /// A Unix socket's path holds 107 bytes; lighttpd and nginx refuse a longer one with a message
    /// about their own configuration. host-config says which option to change instead.
    @Test func aStateFolderTooLongForASocketIsRefusedByName() throws {
        let long = "/tmp/" + String(repeating: "deep/", count: 18)
        let (status, output) = try ServerProcess.runToEnd(
            try Products.url("runtime").path, ["host-config", "lighttpd", "--fastcgi", "--state-dir", long, "--functions-dir", "/opt/leadwire"],
            environment: ["PATH": "/usr/bin:/bin"].merging(scratch.openSettings) { $1 })
        #expect(status != 0)
        #expect(output.contains("pick a shorter --state-dir"), "\(output)")
    }
}

/// How many FastCGI processes each function gets from `runtime host-config`.
@Suite struct HostConfigProcessCountTests {
    let scratch = Scratch("host-config-processes")

    /// A SQLite set-up with the webhooks opened by name (on either test pass).
    var sqlite: [String: String] { ["PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath].merging(TestSettings.openIntake) { $1 } }

    /// Each function's process count in a lighttpd FastCGI configuration and in a pools script
    /// (for the default state folder: a scratch folder's path is too long for the sockets).
    func processCounts(_ extra: [String] = [], _ settings: [String: String] = [:]) throws -> (lighttpd: [String: Int], pools: [String: Int]) {
        func generate(_ kind: [String]) throws -> String {
            let (status, output) = try ServerProcess.runToEnd(
                try Products.url("runtime").path,
                ["host-config"] + kind + ["--functions-dir", "/opt/leadwire"] + extra,
                environment: sqlite.merging(settings) { $1 })
            #expect(status == 0, "\(output)")
            return output
        }
        // `"bin-path" => "/opt/leadwire/<function>",` then `"max-procs" => <n>,`
        var lighttpd: [String: Int] = [:]
        let lines = try generate(["lighttpd", "--fastcgi"]).split(separator: "\n")
        for (line, next) in zip(lines, lines.dropFirst()) {
            if let function = line.firstMatch(of: /"bin-path" => "\/opt\/leadwire\/([a-z-]+)"/)?.1, let count = next.firstMatch(of: /"max-procs" => (\d+)/)?.1 {
                lighttpd[String(function)] = Int(count)
            }
        }
        // `env -i ... spawn-fcgi ... -F <n> ... -- '/opt/leadwire/<function>'`
        var pools: [String: Int] = [:]
        for line in try generate(["pools"]).split(separator: "\n") {
            if let count = line.firstMatch(of: #/spawn-fcgi .* -F (\d+) /#)?.1, let function = line.firstMatch(of: /-- '\/opt\/leadwire\/([a-z-]+)'$/)?.1 {
                pools[String(function)] = Int(count)
            }
        }
        return (lighttpd, pools)
    }

    /// On SQLite the store-bound functions get one process each (their writes take turns on
    /// one lock, and one process commits its ready requests together); the rest get two, so a
    /// slow request never holds a function up.
    @Test func storeBoundFunctionsGetOneProcessOnSQLiteAndTheRestTwo() throws {
        let (lighttpd, pools) = try processCounts()
        for counts in [lighttpd, pools] {
            #expect(counts.count == Catalog.functions.count, "\(counts)")
            for function in Catalog.functions {
                #expect(counts[function.name] == (function.storeBound ? 1 : 2), "\(function.name): \(counts)")
            }
        }
        #expect(Catalog.functions.filter(\.storeBound).map(\.name) == ["kommo-webhook", "amocrm-webhook", "knowlarity-webhook", "widget-request"])
    }

    @Test func onPostgreSQLOrWhenChosenEveryFunctionGetsTheSameCount() throws {
        let postgres = try scratch.secretFile("LEADWIRE_DATABASE_URL", "postgres://leadwire@db.internal/leadwire")
        for (extra, settings, expected) in [([], postgres, 2), (["--processes", "3"], [:], 3), (["--processes", "1"], postgres, 1)] {
            let (lighttpd, pools) = try processCounts(extra, settings)
            #expect(Set(lighttpd.values) == [expected] && Set(pools.values) == [expected], "\(extra) \(settings.keys): \(lighttpd) \(pools)")
        }
        let (status, output) = try ServerProcess.runToEnd(
            try Products.url("runtime").path, ["host-config", "pools", "--processes", "0"],
            environment: sqlite)
        #expect(status != 0 && output.contains("--processes must be at least 1"), "\(output)")
    }
}
