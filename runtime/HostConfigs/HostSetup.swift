import FunctionCatalog

/// What every generated web-server configuration is made from: the catalog's routes, where
/// the executables and the server's state live, and the settings the functions get. Each
/// configuration exposes the routes and nothing else: every other path is a 404.
struct HostSetup {
    var port: Int
    /// The address the server listens on (127.0.0.1 unless a public one is asked for).
    var listen = "127.0.0.1"
    /// When set, the server terminates TLS itself with this certificate chain and key (PEM).
    var tls: TLSFiles?
    /// Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For is believed, so the
    /// functions see the real sender as REMOTE_ADDR. From anyone else the header is ignored.
    var trustedProxies: [String] = []
    var functionsDirectory: String
    /// Sockets, logs and pid files go here. Never the document root: it holds the database.
    var stateDirectory: String
    /// The `LEADWIRE_*` settings the functions get, each only those it reads. Never a secret's
    /// value: secrets come as `<NAME>_FILE` paths (see `SecretSettings`).
    var settings: [String: String]
    /// FastCGI processes per function, when the operator chose a number for all of them.
    var processes: Int?
    var maxBodyBytes: Int
    /// The functions to serve: every one in the catalog, or one being deployed alone.
    var catalog: [FunctionDescription] = Catalog.functions

    /// A folder that does not exist, as the document root: nothing outside the routes is a file.
    static let noDocumentRoot = "/nonexistent/leadwire"

    /// Every route with the function that serves it, longest first, since hosts take the
    /// first prefix that matches.
    var routes: [(path: String, function: String)] {
        catalog.flatMap { function in function.routes.map { ($0.path, function.name) } }
            .sorted { $0.0.count > $1.0.count }
    }

    /// Each function's routes, in catalog order.
    var functions: [(name: String, routes: [String])] {
        catalog.map { ($0.name, $0.routes.map(\.path)) }
    }

    func executable(_ function: String) -> String { functionsDirectory + "/" + function }

    /// FastCGI processes for `function`: the operator's number, or else one for a store-bound
    /// function on SQLite (a second would only wait for the same write lock, and lose the
    /// requests it could have committed together) and two for the rest, so one slow request
    /// (a Kommo API call, an export) never holds up the function.
    func processes(for function: String) -> Int {
        if let processes { return processes }
        let postgresURL = "LEADWIRE_DATABASE_URL"
        let onSQLite = settings[postgresURL] == nil && settings[postgresURL + "_FILE"] == nil
        return onSQLite && Catalog.function(named: function)?.storeBound == true ? 1 : 2
    }

    /// The socket a function's FastCGI processes listen on.
    func socket(_ function: String) -> String { stateDirectory + "/" + function + ".sock" }

    /// The socket of the pool lighttpd starts for the route at `index` of `routes`.
    func lighttpdSocket(_ function: String, route index: Int) -> String { stateDirectory + "/\(function)-\(index).sock" }

    /// Unix socket paths hold at most 107 bytes (sun_path); the servers refuse longer ones with
    /// messages that do not say which setting to change.
    static let maxSocketPathBytes = 107

    /// The longest socket path any configuration writes for this set-up.
    var longestSocketPath: String {
        let all = catalog.map { socket($0.name) } + routes.enumerated().map { lighttpdSocket($0.element.function, route: $0.offset) }
            + [stateDirectory + "/fcgiwrap.sock", stateDirectory + "/cgid.sock"]
        return all.max { $0.utf8.count < $1.utf8.count } ?? ""
    }

    /// The folder of the database file: the one place a function writes (the file, its -wal
    /// and -shm companions).
    var databaseFolder: String {
        let path = settings["LEADWIRE_DATABASE"] ?? "leadwire.sqlite3"
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// The settings `function` reads (the catalog knows them), sorted by name: what a host
    /// passes to that function and no other.
    func settings(for function: String) -> [(name: String, value: String)] {
        let description = Catalog.function(named: function)
        return settings.filter { description?.reads($0.key) ?? true }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// Every setting with the functions that read it, sorted by name.
    var settingsByFunction: [(name: String, value: String, functions: [String])] {
        settings.sorted { $0.key < $1.key }.map { name, value in
            (name, value, catalog.filter { $0.reads(name) }.map(\.name))
        }
    }
}

/// Double-quoted, with `\` and `"` escaped: the string syntax of lighttpd, nginx and Apache.
func quoted(_ text: String) -> String {
    "\"" + text.replacing("\\", with: "\\\\").replacing("\"", with: "\\\"") + "\""
}

/// A regular expression matching exactly `text`.
func regexEscaped(_ text: String) -> String {
    var escaped = ""
    for character in text {
        if "\\^$.|?*+()[]{}".contains(character) { escaped.append("\\") }
        escaped.append(character)
    }
    return escaped
}

/// A certificate chain and its private key, PEM files the server reads at start.
struct TLSFiles {
    let certificate: String
    let key: String
}

extension HostSetup {
    /// `address:port` as the servers write it (an IPv6 address in brackets).
    var listenAddress: String { (listen.contains(":") ? "[\(listen)]" : listen) + ":\(port)" }
}
