import Foundation

/// A web server's side of FastCGI, over a Unix socket: enough to send requests the way
/// lighttpd or nginx do, and to send what they never would. It speaks through `FastCGIWire`,
/// not the production codec.
final class FastCGIClient {
    private let descriptor: Int32
    private var reader = FastCGIWire.Reader()

    struct Answer {
        let output: CGIResult
        let end: FastCGIWire.EndRequest
    }

    /// Connected before the descriptor becomes this object's, as for `RawHTTPConnection`.
    init(socketPath: String) throws {
        let socketDescriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(socketDescriptor)
            throw TestSetupError("cannot connect to \(socketPath): errno \(code)")
        }
        var timeout = timeval(tv_sec: 30, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        descriptor = socketDescriptor
    }

    deinit { close(descriptor) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestSetupError("send failed: errno \(errno)") }
            offset += sent
        }
    }

    /// The records of one request: begin, parameters, body.
    static func request(id: UInt16 = 1, params: [(name: String, value: String)], body: [UInt8] = [], keep: Bool = false) -> [UInt8] {
        FastCGIWire.record(FastCGIWire.beginRequest, id: id, FastCGIWire.beginBody(keepConnection: keep))
            + FastCGIWire.stream(FastCGIWire.params, id: id, FastCGIWire.pairs(params.map { ($0.name, $0.value) }))
            + FastCGIWire.stream(FastCGIWire.stdin, id: id, body)
    }

    /// A POST as a web server forwards it; `headers` are extra parameters (`HTTP_…`).
    func post(
        _ path: String, body: String, contentType: String = "application/x-www-form-urlencoded", keep: Bool = false, id: UInt16 = 1,
        headers: [(String, String)] = []
    ) throws -> Answer {
        let bytes = Array(body.utf8)
        try send(
            Self.request(
                id: id,
                params: [
                    ("REQUEST_METHOD", "POST"), ("SCRIPT_NAME", path), ("PATH_INFO", ""), ("QUERY_STRING", ""),
                    ("CONTENT_TYPE", contentType), ("CONTENT_LENGTH", String(bytes.count)), ("REMOTE_ADDR", "127.0.0.1"),
                ] + headers, body: bytes, keep: keep))
        return try readAnswer(id: id)
    }

    /// The next record, or nil when the application closed the connection.
    func nextRecord() throws -> FastCGIWire.Record? {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            if let record = try reader.next() { return record }
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count == 0 { return nil }
            guard count > 0 else { throw TestSetupError("recv failed: errno \(errno)") }
            reader.append(chunk[..<count])
        }
    }

    /// Reads stdout records up to the end of request `id`.
    func readAnswer(id: UInt16 = 1) throws -> Answer {
        var stdout: [UInt8] = []
        while let record = try nextRecord() {
            guard record.requestID == id else { continue }
            switch record.type {
            case FastCGIWire.stdout: stdout += record.content
            case FastCGIWire.endRequest:
                guard let end = FastCGIWire.EndRequest(record.content) else { throw TestSetupError("an END_REQUEST of \(record.content.count) bytes") }
                return Answer(output: CGIResult(output: Data(stdout)), end: end)
            default: continue
            }
        }
        throw TestSetupError("the connection closed before request \(id) ended")
    }
}

/// A function started as a FastCGI host starts it: fd 0 a listening Unix socket.
final class FastCGIFunction {
    let process: ServerProcess
    let socketPath: String

    /// `name`'s product, or `executable` when given, on a new socket (or at `socketPath`).
    init(_ name: String, in scratch: Scratch, settings: [String: String] = [:], executable: URL? = nil, socketPath: String? = nil) throws {
        let socketPath = socketPath ?? scratch.folder.appending(path: "\(name)-\(UUID().uuidString.prefix(8)).sock").path
        self.socketPath = socketPath
        let listener = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(socketPath.utf8)) }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0, listen(listener, 64) == 0 else { throw TestSetupError("cannot listen on \(socketPath)") }
        process = try ServerProcess(
            executable: try executable ?? Products.url(name), arguments: [],
            environment: scratch.openSettings.merging(settings) { $1 },
            log: scratch.folder.appending(path: "\(name)-fastcgi.log"), standardInput: listener)
    }

    var logText: String { (try? String(contentsOf: process.log, encoding: .utf8)) ?? "" }

    func waitForExit(seconds: Double = 10) async throws -> Int32? { try await process.waitForExit(seconds: seconds) }
}
