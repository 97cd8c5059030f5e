import Foundation
import FunctionCatalog

/// A real web server from Debian's packages serving the functions with a configuration that
/// `runtime host-config` generated, the way an operator would run it: as CGI or FastCGI,
/// with what it needs beside it (fcgiwrap, or the spawn-fcgi pools).
final class WebHost {
    enum Kind: String, CaseIterable, CustomStringConvertible, Sendable {
        case lighttpdCGI = "lighttpd mod_cgi"
        case lighttpdFastCGI = "lighttpd mod_fastcgi"
        case nginxFcgiwrap = "nginx + fcgiwrap"
        case nginxFastCGI = "nginx FastCGI"
        case apacheCGI = "apache mod_cgid"
        case apacheFastCGI = "apache mod_proxy_fcgi"

        var description: String { rawValue }

        var server: String {
            switch self {
            case .lighttpdCGI, .lighttpdFastCGI: "lighttpd"
            case .nginxFcgiwrap, .nginxFastCGI: "nginx"
            case .apacheCGI, .apacheFastCGI: "apache"
            }
        }

        var isFastCGI: Bool { [.lighttpdFastCGI, .nginxFastCGI, .apacheFastCGI].contains(self) }
        /// nginx (`client_max_body_size`) and mod_cgid (`LimitRequestBody`) answer a body over the
        /// limit with their own 413; the others pass it to the function, which logs the refusal.
        var refusesOversizeBodiesItself: Bool { [.nginxFcgiwrap, .nginxFastCGI, .apacheCGI].contains(self) }
    }

    let kind: Kind
    let base: String
    let scratch: Scratch
    private var processes: [ServerProcess] = []
    /// The environment the web server itself starts with (what the shell that starts it exported).
    private let serverEnvironment: [String: String]
    private var pidFiles: [URL] = []

    /// Who the functions run as: `leadwire` (made by scripts/setup) when the tests run as root (nginx and Apache will
    /// not run their workers as root), else the current user.
    static let user = getuid() == 0 ? "leadwire" : (ProcessInfo.processInfo.environment["USER"] ?? "nobody")

    /// With `tls`, the server terminates TLS with a self-signed certificate made here, and
    /// `base` is an https URL (reach it with `curl`, see `curlTLS`).
    init(
        _ kind: Kind, scratch: Scratch, settings: [String: String] = [:], processes: Int = 2, tls: Bool = false, serverArguments: [String] = [],
        serverEnvironment: [String: String] = [:]
    ) async throws {
        self.serverEnvironment = ["PATH": "/usr/bin:/bin"].merging(serverEnvironment) { $1 }
        self.kind = kind
        self.scratch = scratch
        let port = try freePort()
        base = "\(tls ? "https" : "http")://127.0.0.1:\(port)"
        let state = scratch.folder.path
        try Self.openToOtherUsers(scratch)
        var tlsArguments: [String] = []
        if tls {
            let certificate = scratch.folder.appending(path: "tls-certificate.pem").path
            let key = scratch.folder.appending(path: "tls-key.pem").path
            let (status, output) = try ServerProcess.runToEnd(
                "/usr/bin/openssl",
                ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1", "-keyout", key, "-out", certificate])
            guard status == 0 else { throw TestSetupError("openssl could not make a certificate: \(output)") }
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: key)
            tlsArguments = ["--tls-certificate", certificate, "--tls-key", key]
        }

        let binaries = try Self.sharedFunctionsDirectory()
        let generatorSettings = scratch.openSettings.merging(settings) { $1 }
        func generate(_ arguments: [String], into name: String) throws -> URL {
            let common = ["--port", String(port), "--state-dir", state, "--functions-dir", binaries, "--user", Self.user, "--processes", String(processes)]
                + (["lighttpd", "nginx", "apache"].contains(arguments[0]) ? tlsArguments + serverArguments : [])
            let file = scratch.folder.appending(path: name)
            try Data(try runtimeOutput(["host-config"] + arguments + common, environment: generatorSettings).utf8).write(to: file)
            return file
        }

        switch kind {
        case .lighttpdCGI, .lighttpdFastCGI:
            _ = try runtimeOutput(["host-config", "error-pages", "--state-dir", state], environment: generatorSettings)
            let config = try generate(["lighttpd"] + (kind.isFastCGI ? ["--fastcgi"] : []), into: "lighttpd.conf")
            try start("/usr/sbin/lighttpd", ["-D", "-f", config.path])
        case .nginxFcgiwrap, .nginxFastCGI:
            if kind == .nginxFastCGI {
                try startPools(try generate(["pools"], into: "pools.sh"))
            } else {
                try startFcgiwrap(socket: "\(state)/fcgiwrap.sock")
            }
            let config = try generate(["nginx"] + (kind.isFastCGI ? ["--fastcgi"] : []), into: "nginx.conf")
            try start("/usr/sbin/nginx", ["-c", config.path, "-p", state, "-g", "daemon off;"])
        case .apacheCGI, .apacheFastCGI:
            if kind == .apacheFastCGI { try startPools(try generate(["pools"], into: "pools.sh")) }
            let config = try generate(["apache"] + (kind.isFastCGI ? ["--fastcgi"] : []), into: "apache.conf")
            try start("/usr/sbin/apache2", ["-f", config.path, "-DFOREGROUND"])
        }
        // Ready when a function answers through this host: its own 405 proves the whole path
        // works, and the request's line in this host's own access log proves this host answered
        // (another test's server on a reused port would answer too).
        let marker = "/kommo-webhook?ready=\(UUID().uuidString)"
        for _ in 0..<100 {
            let status =
                tls
                ? (try? Self.curlTLS(base + marker))?.status : (try? await http("GET", base + marker, timeout: 2))?.status
            if status == 405, ((try? String(contentsOf: accessLog, encoding: .utf8)) ?? "").contains(marker) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestSetupError("\(kind) did not answer on \(base); see \(state)")
    }

    deinit {
        for file in pidFiles {
            // fcgiwrap -c N preforks: its children outlive a killed parent unless killed first.
            for pid in Self.pids(in: file) {
                ProcessProbe(pid: pid).children.forEach { kill($0, SIGKILL) }
                kill(pid, SIGKILL)
            }
        }
    }

    /// An HTTPS request through curl (the test's own client speaks plain HTTP), accepting the
    /// self-signed certificate: the status and the body.
    static func curlTLS(_ url: String, method: String = "GET", body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["-k", "-s", "-X", method, "-w", "\n%{http_code}", url]
        if let body { arguments += ["-H", "Content-Type: application/x-www-form-urlencoded", "--data-binary", body] }
        let (_, output) = try ServerProcess.runToEnd("/usr/bin/curl", arguments)
        let status = Int(output.split(separator: "\n").last ?? "") ?? 0
        return (status, String(output.split(separator: "\n").dropLast().joined(separator: "\n")))
    }

    /// The server's access log (the generated configurations write it in the state folder).
    var accessLog: URL { scratch.folder.appending(path: "\(kind.server)-access.log") }

    /// Where `function`'s log lines go behind this host, as deploy/ says: lighttpd writes them
    /// to its `server.breakagelog`, Apache's mod_cgid to its error log, and what spawn-fcgi
    /// starts (the pools, fcgiwrap) to the file LEADWIRE_LOG_PATH names.
    func functionLog(of function: String) -> URL {
        switch kind {
        case .lighttpdCGI, .lighttpdFastCGI: scratch.folder.appending(path: "functions.log")
        case .apacheCGI: scratch.folder.appending(path: "apache-error.log")
        case .nginxFcgiwrap: scratch.folder.appending(path: "functions.log")
        case .nginxFastCGI, .apacheFastCGI: scratch.folder.appending(path: "\(function).log")
        }
    }

    /// The pids of this host's FastCGI processes serving `function`: those its pid files list
    /// (spawn-fcgi's pools) or its server started (lighttpd's), and their children. Never another
    /// test's: every test runs the same copy of the binaries.
    func fastCGIProcesses(of function: String) -> [Int32] {
        let binary = (try? Self.sharedFunctionsDirectory()).map { $0 + "/" + function } ?? function
        let roots = processes.map(\.processIdentifier) + pidFiles.flatMap(Self.pids)
        return Array(Set(roots.flatMap { [$0] + ProcessProbe(pid: $0).descendants })).filter { pid in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/exe")) == binary
        }
    }

    private static func pids(in file: URL) -> [Int32] {
        ((try? String(contentsOf: file, encoding: .utf8)) ?? "").split(whereSeparator: \.isNewline).compactMap { Int32($0) }
    }

    private func start(_ executable: String, _ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestSetupError("\(executable) is not installed: run scripts/setup")
        }
        let name = URL(fileURLWithPath: executable).lastPathComponent
        processes.append(
            try ServerProcess(
                executable: URL(fileURLWithPath: executable), arguments: arguments, environment: serverEnvironment,
                log: scratch.folder.appending(path: "\(name).out")))
    }

    /// fcgiwrap, started by spawn-fcgi as the functions' user with its socket theirs.
    private func startFcgiwrap(socket: String) throws {
        let pids = scratch.folder.appending(path: "fcgiwrap.pids")
        pidFiles.append(pids)
        var arguments = ["-s", socket, "-P", pids.path, "-M", "0660"]
        if getuid() == 0 { arguments += ["-u", Self.user, "-U", Self.user] }
        try runToEnd("/usr/bin/spawn-fcgi", arguments + ["--", "/usr/sbin/fcgiwrap", "-c", "4"])
    }

    private func startPools(_ script: URL) throws {
        try runToEnd("/bin/sh", [script.path])
        let files = try FileManager.default.contentsOfDirectory(at: scratch.folder, includingPropertiesForKeys: nil)
        pidFiles += files.filter { $0.pathExtension == "pids" }
    }

    private func runToEnd(_ executable: String, _ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else { throw TestSetupError("\(executable) is not installed: run scripts/setup") }
        let (status, output) = try ServerProcess.runToEnd(executable, arguments)
        guard status == 0 else { throw TestSetupError("\(executable) \(arguments) failed: \(output)") }
    }

    /// The database and its folder, writable by the user the functions run as.
    private static func openToOtherUsers(_ scratch: Scratch) throws {
        _ = try runtimeOutput(["migrate", "--database", scratch.databasePath], environment: [:])
        let files = try FileManager.default.contentsOfDirectory(atPath: scratch.folder.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: scratch.folder.path)
        for file in files {
            try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: scratch.folder.appending(path: file).path)
        }
    }

    /// The function executables, copied once per test run into a folder every user can read:
    /// the build folder may sit where the web server's user cannot enter.
    static func sharedFunctionsDirectory() throws -> String {
        try sharedCopy.get()
    }

    private static let sharedCopy = Result<String, any Error> {
        let folder = FileManager.default.temporaryDirectory.appending(path: "leadwire-host-functions-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.path)
        // As deployed: every function, and the runtime beside them (the worker's unit runs it).
        // Copied by `cp`, not in this process: a child another test forks meanwhile would inherit
        // the open file, and executing it would fail with ETXTBSY (spawn-fcgi's "exited with 26").
        let sources = try (Catalog.functions.map(\.name) + ["runtime"]).map { try Products.url($0).path }
        let (status, output) = try ServerProcess.runToEnd("/bin/cp", sources + [folder.path])
        guard status == 0 else { throw TestSetupError("cp failed: \(output)") }
        for name in Catalog.functions.map(\.name) + ["runtime"] {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appending(path: name).path)
        }
        return folder.path
    }
}

/// Runs `runtime` with `arguments` and returns what it printed.
func runtimeOutput(_ arguments: [String], environment: [String: String]) throws -> String {
    let (status, output) = try ServerProcess.runToEnd(
        try Products.url("runtime").path, arguments, environment: ["PATH": "/usr/bin:/bin"].merging(environment) { $1 })
    guard status == 0 else { throw TestSetupError("runtime \(arguments) failed: \(output)") }
    return output
}
