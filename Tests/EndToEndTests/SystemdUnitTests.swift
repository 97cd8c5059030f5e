import Foundation
import FunctionCatalog
import LeadwireStore
import Testing

/// The units `runtime host-config systemd` writes. systemd cannot run as PID 1 here, so they are
/// checked in two halves: `systemd-analyze verify` reads them as systemd would (unknown keys,
/// a missing executable, a service without its socket), and each service is then started the
/// way its socket unit makes systemd start it: the listening socket at `ListenStream` as fd 0,
/// `ExecStart` with the unit's `Environment=` lines and nothing else.
@Suite(.serialized) struct SystemdUnitTests {
    let scratch = Scratch("systemd")

    /// The generated files by name, split at their `# file:` lines.
    func units() throws -> [String: String] {
        let text = try runtimeOutput(
            ["host-config", "systemd", "--state-dir", scratch.folder.path, "--functions-dir", try WebHost.sharedFunctionsDirectory()],
            environment: ["LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL, "LEADWIRE_KOMMO_WEBHOOK_TOKEN": "s3cret"])
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
        var environment: [String: String] = [:]
        for line in Self.values(of: "Environment", in: service) {
            // Unquoted, and `%%` back to `%` as systemd reads it.
            let assignment = (line.hasPrefix("\"") && line.hasSuffix("\"") ? String(line.dropFirst().dropLast()) : line).replacingOccurrences(of: "%%", with: "%")
            let parts = assignment.split(separator: "=", maxSplits: 1)
            environment[String(parts[0])] = parts.count > 1 ? String(parts[1]) : ""
        }
        #expect(environment["LEADWIRE_KOMMO_WEBHOOK_TOKEN"] == "s3cret", "the settings reach the unit")
        // Hardened: only the database folder is writable.
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
