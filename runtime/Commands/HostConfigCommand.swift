import ArgumentParser
import Foundation
import FunctionCatalog
import FunctionKit

struct HostConfig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "host-config",
        abstract: "Print a web-server configuration that serves every function, as CGI or FastCGI.",
        discussion: """
            Generated from the same function catalog the runtime routes by, so the routes always agree. \
            Only the routes answer: every other path is a 404. `pools` prints the spawn-fcgi script that \
            starts the FastCGI processes nginx and Apache connect to; `systemd` prints socket and service units; \
            `error-pages` writes the JSON error files lighttpd's configuration names into --state-dir. \
            Each function gets only the settings it reads. A secret given as a value (a token, a key, a password) \
            is left out with a warning: give its file instead (<NAME>_FILE). A webhook that no token, signing \
            secret or allowlist authenticates is refused unless opened by name (<NAME>_AUTH=none).
            """)

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case lighttpd, nginx, apache, pools, systemd
        case errorPages = "error-pages"
    }

    @Argument(help: "What to print: \(Kind.allCases.map(\.rawValue).joined(separator: ", ")).")
    var kind: Kind

    @Flag(help: "Run the functions as long-lived FastCGI processes instead of a process per request.")
    var fastcgi = false

    @Option(help: "Port the web server listens on.")
    var port: Int = 8080

    @Option(help: "Address the web server listens on: 127.0.0.1 behind a reverse proxy, or a public address (0.0.0.0, ::).")
    var listen: String = "127.0.0.1"

    @Option(help: "PEM certificate chain, to terminate TLS in the web server itself (with --tls-key).")
    var tlsCertificate: String?

    @Option(help: "PEM private key of --tls-certificate.")
    var tlsKey: String?

    @Option(help: "A reverse proxy (address or CIDR range) whose X-Forwarded-For is believed; repeat for several. From anyone else the header is ignored.")
    var trustedProxy: [String] = []

    @Option(help: "Folder for the server's sockets, logs and pid files.")
    var stateDir: String = "/var/lib/leadwire"

    @Option(
        help: """
            FastCGI processes per function. Default: 1 for the inbound webhooks and widget-request on SQLite (their writes \
            take turns on the database file's lock, and one process commits the requests that are ready together), 2 for \
            the rest and on PostgreSQL.
            """)
    var processes: Int?

    @Option(help: "Serve this function only (for a deployment of one function); default: every function.")
    var function: String?

    @Option(help: "User the web server's workers and the functions run as when it is started as root (create it: see deploy/).")
    var user: String = "leadwire"

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var functions: FunctionsOptions

    func run() throws {
        if let processes, processes < 1 { throw CommandFailure("--processes must be at least 1, got \(processes).") }
        let given = options.functionSettings().filter { $0.key.hasPrefix("LEADWIRE_") }
        let settings = HostSettings.withoutSecretValues(given, warn: warn)
        var setup = HostSetup(
            port: port, functionsDirectory: functions.functionsDirectory(environment: options.environment).path, stateDirectory: stateDir,
            settings: settings, processes: processes, maxBodyBytes: try FunctionSettings(Environment(options.environment)).maxBodyBytes)
        setup.listen = listen
        setup.trustedProxies = trustedProxy
        switch (tlsCertificate, tlsKey) {
        case let (certificate?, key?): setup.tls = TLSFiles(certificate: certificate, key: key)
        case (nil, nil): break
        default: throw CommandFailure("Give --tls-certificate and --tls-key together.")
        }
        if let function {
            guard let description = Catalog.function(named: function) else {
                throw CommandFailure("No function named \(function). Known: \(Catalog.functions.map(\.name).joined(separator: ", ")).")
            }
            setup.catalog = [description]
        }
        if kind != .errorPages {
            let socket = setup.longestSocketPath
            guard socket.utf8.count <= HostSetup.maxSocketPathBytes else {
                throw CommandFailure(
                    "\(socket) is \(socket.utf8.count) bytes, and a Unix socket's path may hold \(HostSetup.maxSocketPathBytes): pick a shorter --state-dir.")
            }
            try HostSettings.requireAuthenticatedIntake(setup.catalog, settings: settings)
            warnAboutAccess(setup)
        }
        let text =
            switch kind {
            case .lighttpd: LighttpdConfig(setup: setup, fastCGI: fastcgi, user: user).text
            case .nginx: NginxConfig(setup: setup, fastCGI: fastcgi, user: user).text
            case .apache: ApacheConfig(setup: setup, fastCGI: fastcgi, user: user).text
            case .pools: PoolScript(setup: setup, user: user == "root" ? nil : user).text
            case .systemd: SystemdUnits(setup: setup, user: user).text
            case .errorPages: try HostErrorPages(stateDirectory: stateDir).write().map { "wrote \($0)\n" }.joined()
            }
        print(text, terminator: "")
    }

    /// Says on stderr which executable or secret file the functions' user could not use: the
    /// server would start and then fail on the first request, or never start (a secret file it
    /// cannot read stops every function). systemd reads secret files itself, as root.
    private func warnAboutAccess(_ setup: HostSetup) {
        guard let access = UserAccess(user: user) else {
            warn("warning: there is no user \(user) on this machine (--user): create it before starting the server (see deploy/).")
            return
        }
        for function in setup.catalog.map(\.name) where !access.canRun(setup.executable(function)) {
            warn("warning: \(user) cannot run \(setup.executable(function)) (missing, not executable, or in a folder it cannot enter).")
        }
        guard kind != .systemd else { return }
        for (name, path) in setup.settings.sorted(by: { $0.key < $1.key }) where name.hasSuffix("_FILE") && !access.canRead(path) {
            warn("warning: \(user) cannot read \(path) (\(name)); every function that needs it will fail to start. Try: chgrp \(user) \(path) && chmod 0640 \(path)")
        }
    }

    private func warn(_ line: String) { FileHandle.standardError.write(Data((line + "\n").utf8)) }
}
