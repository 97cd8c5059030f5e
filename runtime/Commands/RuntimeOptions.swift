import ArgumentParser
import Foundation
import FunctionKit
import WebhookLogs
import LeadwireStore
import SecretSealing

/// Options every command shares: where the store is, and a settings file.
struct RuntimeOptions: ParsableArguments {
    @Option(help: "SQLite database file (default: $LEADWIRE_DATABASE, else ./leadwire.sqlite3).")
    var database: String?

    @Option(help: "A file of LEADWIRE_* settings, one NAME=value a line; a variable set in the environment wins over the file.")
    var envFile: String?

    /// The process environment, with the settings of `--env-file` under it.
    var environment: [String: String] {
        let process = ProcessInfo.processInfo.environment
        guard let envFile, let settings = try? SettingsFile.read(envFile) else { return process }
        return settings.merging(process) { _, fromEnvironment in fromEnvironment }
    }

    /// `scripts/serve` keeps development's sealing key in ./leadwire.secret-key. With no key set
    /// otherwise and that file here, the commands that run functions or deliver messages use it
    /// too, so `runtime worker --once` beside a `scripts/serve` opens what it sealed. Never
    /// `host-config`: a configuration for a server names its own key.
    var developmentKey: [String: String] {
        let environment = environment
        let file = FileManager.default.currentDirectoryPath + "/leadwire.secret-key"
        guard environment[SealingKey.variable] == nil, environment[SealingKey.variable + "_FILE"] == nil,
            FileManager.default.isReadableFile(atPath: file)
        else { return [:] }
        return [SealingKey.variable + "_FILE": file]
    }

    func validate() throws {
        if let envFile { _ = try SettingsFile.read(envFile) }
    }

    static let defaultTimeoutSeconds = 30

    /// LEADWIRE_FUNCTION_TIMEOUT_SECONDS: how long one invocation may run before it is killed (504).
    func functionTimeout() throws -> Duration {
        do {
            return .seconds(try Environment(environment).integer("LEADWIRE_FUNCTION_TIMEOUT_SECONDS", default: Self.defaultTimeoutSeconds))
        } catch {
            throw CommandFailure(error.message)
        }
    }

    /// LEADWIRE_MAX_CHILDREN function processes at once (default: four per core); beyond that up
    /// to LEADWIRE_MAX_QUEUED requests wait, each at most LEADWIRE_QUEUE_TIMEOUT_MS, then get 503.
    func processSlots() throws -> ProcessSlots {
        let (maxQueued, maxWait) = try queueLimits()
        do {
            let limit = try Environment(environment).integer("LEADWIRE_MAX_CHILDREN", default: 4 * ProcessInfo.processInfo.activeProcessorCount)
            return ProcessSlots(limit: limit, maxQueued: maxQueued, maxWait: maxWait)
        } catch {
            throw CommandFailure(error.message)
        }
    }

    /// LEADWIRE_MAX_QUEUED and LEADWIRE_QUEUE_TIMEOUT_MS: how many requests may wait for a
    /// process, and for how long.
    private func queueLimits() throws -> (maxQueued: Int, maxWait: Duration) {
        let settings = Environment(environment)
        do {
            return (
                try settings.integer("LEADWIRE_MAX_QUEUED", default: 1000), .milliseconds(try settings.integer("LEADWIRE_QUEUE_TIMEOUT_MS", default: 5000))
            )
        } catch {
            throw CommandFailure(error.message)
        }
    }

    /// LEADWIRE_POOL_PROCESSES FastCGI processes per function for `serve` (default 2); requests
    /// wait for a free one as for `processSlots()`. Each process knows the runtime's pid and
    /// exits if the runtime goes away without stopping it.
    func fastCGIPools(functionsDirectory: URL, settings: [String: String], log: FunctionKit.Logger) throws -> FastCGIPools {
        let (maxQueued, maxWait) = try queueLimits()
        let processes: Int
        do {
            processes = try Environment(environment).integer("LEADWIRE_POOL_PROCESSES", default: 2)
        } catch {
            throw CommandFailure(error.message)
        }
        var processEnvironment = settings
        processEnvironment["LEADWIRE_FASTCGI_PARENT_PID"] = String(getpid())
        return try FastCGIPools(
            functionsDirectory: functionsDirectory, settings: processEnvironment, timeout: try functionTimeout(),
            processesPerFunction: processes, maxQueued: maxQueued, maxWait: maxWait, log: log)
    }

    /// The database as an absolute path, so functions started from any folder share one file.
    var databasePath: String {
        let path = database ?? StoreSettings.databasePath(in: Environment(environment))
        return URL(fileURLWithPath: path).standardizedFileURL.path
    }


    /// Settings for the functions this runtime starts: its own LEADWIRE_* and the store path.
    func functionSettings() -> [String: String] {
        var settings = CGIInvocation.settings(from: environment)
        settings["LEADWIRE_DATABASE"] = databasePath
        return settings
    }

    /// Opens the store, bringing its schema up to date.
    func openDatabase() throws -> Database {
        // LEADWIRE_DATABASE_URL_FILE, like any secret, may name a file holding the URL.
        var settings = try StoreSettings(environment: Environment(environment).resolvingSecretFiles())
        settings.databasePath = databasePath
        return try Database(settings: settings)
    }

    /// Opens a store that exists already, for the commands that read one (`keys list`, `backup`,
    /// `worker`): a mistyped --database must not quietly create a new, empty database.
    func openExistingDatabase() throws -> Database {
        let usesPostgres = (try? Environment(environment).resolvingSecretFiles())?["LEADWIRE_DATABASE_URL"] != nil
        guard usesPostgres || FileManager.default.fileExists(atPath: databasePath) else {
            throw CommandFailure(
                "There is no database at \(databasePath) (from --database, LEADWIRE_DATABASE or the default ./leadwire.sqlite3). "
                    + "Check the path; `runtime migrate` creates a new one, and `scripts/serve` makes ./leadwire.sqlite3.")
        }
        return try openDatabase()
    }

    /// Opens the store once so its schema is current before the first function needs it.
    func migrate() throws -> Int64 {
        try openDatabase().schemaVersion()
    }

    /// The store, as a log line names it: the PostgreSQL URL (without its password) when
    /// LEADWIRE_DATABASE_URL is set, the SQLite file otherwise.
    var storeDescription: String {
        guard let url = (try? Environment(environment).resolvingSecretFiles())?["LEADWIRE_DATABASE_URL"] else { return databasePath }
        return Self.redacted(url)
    }

    /// A connection URL fit for a log line: `postgres://user:secret@host/db` as
    /// `postgres://user:***@host/db`, and a `password=` parameter likewise.
    static func redacted(_ url: String) -> String {
        var text = url
        if let scheme = text.range(of: "://"), let at = text[scheme.upperBound...].firstIndex(of: "@"),
            let colon = text[scheme.upperBound..<at].firstIndex(of: ":")
        {
            text.replaceSubrange(text.index(after: colon)..<at, with: "***")
        }
        if let password = text.range(of: "password=") {
            let end = text[password.upperBound...].firstIndex(where: { $0 == "&" || $0 == " " }) ?? text.endIndex
            text.replaceSubrange(password.upperBound..<end, with: "***")
        }
        return text
    }
}

/// Where the function executables are: for the commands that start functions or point a web
/// server at them (`serve`, `invoke`, `host-config`), and only those.
struct FunctionsOptions: ParsableArguments {
    @Option(help: "Folder holding the function executables (default: $LEADWIRE_FUNCTIONS_DIR, else the runtime's own folder).")
    var functionsDir: String?

    func functionsDirectory(environment: [String: String]) -> URL {
        if let folder = functionsDir ?? environment["LEADWIRE_FUNCTIONS_DIR"] {
            return URL(fileURLWithPath: folder).standardizedFileURL
        }
        // Functions are built next to the runtime (`.build/debug/`, or an install's bin folder).
        // The executable's real path, not argv[0], which is a bare name when started from PATH.
        let executable = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        return executable.resolvingSymlinksInPath().deletingLastPathComponent()
    }
}
