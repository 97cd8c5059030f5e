import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

struct HTTPResult {
    let status: Int
    let headers: [String: String]
    let body: String
}

/// One HTTP request over loopback, as a CRM or a developer's curl would send it.
func http(
    _ method: String, _ url: String, body: String? = nil, headers: [String: String] = [:], timeout: TimeInterval = 30
) async throws -> HTTPResult {
    var request = URLRequest(url: URL(string: url)!, timeoutInterval: timeout)
    request.httpMethod = method
    for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
    if let body { request.httpBody = Data(body.utf8) }
    let (data, response) = try await URLSession.shared.data(for: request)
    let http = response as! HTTPURLResponse
    var fields: [String: String] = [:]
    for (name, value) in http.allHeaderFields { fields[String(describing: name).lowercased()] = String(describing: value) }
    return HTTPResult(status: http.statusCode, headers: fields, body: String(decoding: data, as: UTF8.self))
}

/// A server process started for one test and stopped when the value goes away.
final class ServerProcess {
    let process = Process()
    let log: URL

    init(executable: URL, arguments: [String], environment: [String: String], log: URL) throws {
        self.log = log
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        let handle = try FileHandle(forWritingTo: log)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    /// Waits until the log shows `marker`, returning the log text, or fails after `seconds`.
    func waitForLog(containing marker: String, seconds: Double = 15) async throws -> String {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            if text.contains(marker) { return text }
            guard process.isRunning else { throw TestSetupError("server exited early: \(text)") }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("no \"\(marker)\" in the server log within \(seconds) s")
    }

    deinit {
        // SIGKILL: a server started by Foundation's Process inherits a blocked SIGTERM.
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }
}

/// A free TCP port on loopback, for servers that cannot pick their own.
func freePort() throws -> Int {
    let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(socketDescriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(socketDescriptor, $0, length) == 0 && getsockname(socketDescriptor, $0, &length) == 0
        }
    }
    guard bound else { throw TestSetupError("cannot find a free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Starts `runtime serve` on a free port with `settings` (the database is the scratch one) and
/// returns it with its base URL, once it says it is listening.
func startRuntime(in scratch: Scratch, settings: [String: String] = [:]) async throws -> (ServerProcess, String) {
    let environment = ["PATH": "/usr/bin:/bin", "LEADWIRE_DATABASE": scratch.databasePath].merging(settings) { $1 }
    let server = try ServerProcess(
        executable: try Products.url("runtime"), arguments: ["serve", "--port", "0"], environment: environment,
        log: scratch.folder.appending(path: "runtime-\(UUID().uuidString).log"))
    let log = try await server.waitForLog(containing: "listening on http://")
    guard let url = log.firstMatch(of: /http:\/\/127\.0\.0\.1:\d+/)?.output else { throw TestSetupError("no URL in: \(log)") }
    return (server, String(url))
}
