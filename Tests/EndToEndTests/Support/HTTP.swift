import Foundation
import Synchronization
import ProcessSpawning

struct HTTPResult {
    let status: Int
    let headers: [String: String]
    let body: String
}

/// One HTTP request over loopback, as a CRM or a developer's curl would send it. On a plain
/// socket and a thread of its own: URLSession stalls for seconds when the machine is busy
/// with the other suites running in parallel.
func http(
    _ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:], timeout: TimeInterval = 30
) async throws -> HTTPResult {
    guard let parts = url.firstMatch(of: /^http:\/\/127\.0\.0\.1:(\d+)(.*)$/), let port = Int(parts.output.1) else {
        throw TestSetupError("only http://127.0.0.1:PORT/... is supported: \(url)")
    }
    let target = parts.output.2.isEmpty ? "/" : String(parts.output.2)
    let response = try await onNewThread {
        let connection = try RawHTTPConnection(port: port, timeoutSeconds: Int(timeout))
        try connection.send(
            RawHTTPConnection.request(method, target, headers: headers.merging(["Connection": "close"]) { $1 }, body: Array((body ?? "").utf8)))
        return try connection.readResponse(untilCloseWithoutLength: true)
    }
    return HTTPResult(status: response.status, headers: response.headers, body: response.text)
}

/// A process started for one test with posix_spawn, and stopped when the value goes away:
/// SIGTERM first, so a server takes its own children down with it, then SIGKILL. (Foundation's
/// Process is not used: it hands children a blocked SIGTERM, and at times never notices that
/// a killed child has exited.)
final class ServerProcess {
    let processIdentifier: pid_t
    let log: URL
    private var waitStatus: Int32?

    init(executable: URL, arguments: [String], environment: [String: String], log: URL, standardInput: Int32? = nil) throws {
        self.log = log
        // The runtime's own spawner: closes every other descriptor in the child (tests run in
        // parallel, and a server holding copies of other tests' client sockets would keep those
        // connections open) and starts it with default signals.
        let output = open(log.path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw TestSetupError("cannot open \(log.path)") }
        defer { close(output) }
        let plan = try SpawnPlan(
            standardInput: standardInput.map(ChildStream.descriptor) ?? .nullDevice, standardOutput: .descriptor(output),
            standardError: .descriptor(output))
        let pid = try plan.spawn(executable.path, arguments: [executable.path] + arguments, environment: environment)
        processIdentifier = pid
    }

    var isRunning: Bool { reap(blocking: false) == nil }

    /// The exit status, once the process has exited normally.
    var terminationStatus: Int32? {
        guard let status = reap(blocking: false), status & 0x7F == 0 else { return nil }
        return (status >> 8) & 0xFF
    }

    fileprivate func reap(blocking: Bool) -> Int32? {
        if let waitStatus { return waitStatus }
        var status: Int32 = 0
        guard waitpid(processIdentifier, &status, blocking ? 0 : WNOHANG) == processIdentifier else { return nil }
        waitStatus = status
        return status
    }

    /// Waits until the log shows `marker` (at least `times` times), returning the log text, or
    /// fails after `seconds`. The limit only bounds a server that never starts: on a 2-core
    /// machine starting dozens of servers and databases at once (the start of a test pass), one
    /// may take half a minute.
    func waitForLog(containing marker: String, times: Int = 1, seconds: Double = 90) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.components(separatedBy: marker).count > times { return text }
            guard isRunning else { throw TestSetupError("server exited early: \(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("\"\(marker)\" not \(times) times in the server log within \(seconds) s")
    }

    /// Runs a command to its end; returns its exit status and what it wrote (stdout and stderr).
    static func runToEnd(_ executable: String, _ arguments: [String], environment: [String: String] = ["PATH": "/usr/bin:/bin"]) throws
        -> (status: Int32, output: String)
    {
        let log = FileManager.default.temporaryDirectory.appending(path: "leadwire-command-\(UUID().uuidString).out")
        defer { try? FileManager.default.removeItem(at: log) }
        let process = try ServerProcess(executable: URL(fileURLWithPath: executable), arguments: arguments, environment: environment, log: log)
        let status = process.reap(blocking: true) ?? -1
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        return (status & 0x7F == 0 ? (status >> 8) & 0xFF : -1, output)
    }

    /// Waits up to `seconds` for the process to exit; returns its exit status, or nil.
    func waitForExit(seconds: Double = 10) async throws -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        return terminationStatus
    }

    deinit {
        guard isRunning else { return }
        kill(processIdentifier, SIGTERM)
        for _ in 0..<150 where isRunning { usleep(20_000) }
        if isRunning { kill(processIdentifier, SIGKILL) }
        _ = reap(blocking: true)
    }
}

/// A port of 127.0.0.1 for a server a test starts. A port the kernel picks for `bind(0)` could
/// be taken by another test before the server binds it: as any test's outgoing connection's own
/// port, or by another test given the same number. So each port is handed out once per test
/// process, from below the range the kernel takes outgoing ports from
/// (/proc/sys/net/ipv4/ip_local_port_range), and only after a bind shows nothing else holds it.
func freePort() throws -> Int {
    try PortSequence.shared.next()
}

private final class PortSequence: Sendable {
    static let shared = PortSequence()
    private let range: Range<Int>
    private let cursor: Mutex<Int>

    init() {
        let ranges = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8)) ?? ""
        let outgoingFrom = ranges.split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) } ?? 32_768
        range = 10_000..<max(outgoingFrom, 10_001)
        // Two test processes at once (a developer's two runs) start far apart.
        cursor = Mutex(range.lowerBound + Int(getpid()) % range.count)
    }

    func next() throws -> Int {
        for _ in 0..<range.count {
            let port = cursor.withLock { cursor in
                defer { cursor = cursor + 1 == range.upperBound ? range.lowerBound : cursor + 1 }
                return cursor
            }
            if Self.isFree(port) { return port }
        }
        throw TestSetupError("no free port of 127.0.0.1 in \(range)")
    }

    private static func isFree(_ port: Int) -> Bool {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socketDescriptor) }
        var reuse: Int32 = 1  // as servers bind: a port whose last connection is in TIME_WAIT is free to them
        setsockopt(socketDescriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
    }
}

/// Starts `runtime serve` on a free port with `settings` (the database is the scratch one) and
/// returns it with its base URL, once it says it is listening.
func startRuntime(in scratch: Scratch, settings: [String: String] = [:], arguments: [String] = []) async throws -> (ServerProcess, String) {
    let environment = ["PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath, "LEADWIRE_DATABASE_URL": scratch.databaseURL].merging(settings) { $1 }
    let server = try ServerProcess(
        executable: try Products.url("runtime"), arguments: ["serve", "--port", "0"] + arguments, environment: environment,
        log: scratch.folder.appending(path: "runtime-\(UUID().uuidString).log"))
    let log = try await server.waitForLog(containing: "listening on http://")
    guard let url = log.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+/)?.output else { throw TestSetupError("no URL in: \(log)") }
    return (server, String(url))
}
