import Foundation
import TestSupport

/// An HTTP/1.1 client on a plain blocking socket, for load tests: many concurrent clients on
/// threads of their own, keep-alive, and exact control of the connection (a test can stop
/// mid-body or hang up before the answer), which URLSession does not give. Unchecked Sendable:
/// a connection may be handed from the thread that opened it to another, but is used by one
/// thread at a time.
final class RawHTTPConnection: @unchecked Sendable {
    private let descriptor: Int32
    private var buffered: [UInt8] = []

    struct Response: Sendable {
        let status: Int
        let headers: [String: String]
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The socket is connected before it becomes this object's: a failed init must not leave
    /// `deinit` a descriptor to close a second time (by then its number may be another
    /// thread's new socket).
    init(port: Int, timeoutSeconds: Int = 30) throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw Failure(description: "socket: errno \(errno)") }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = UInt16(port).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            Glibc.close(socketDescriptor)
            throw Failure(description: "connect: errno \(code)")
        }
        descriptor = socketDescriptor
    }

    deinit { Glibc.close(descriptor) }

    /// Sends raw bytes: a whole request, or part of one.
    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += sent
        }
    }

    static func request(_ method: String, _ path: String, headers: [String: String] = [:], body: [UInt8] = []) -> [UInt8] {
        var head = "\(method) \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        if !body.isEmpty || method == "POST" { head += "Content-Length: \(body.count)\r\n" }
        return Array((head + "\r\n").utf8) + body
    }

    /// Sends a request and reads its whole response.
    func exchange(_ method: String, _ path: String, headers: [String: String] = [:], body: String = "") throws -> Response {
        try send(Self.request(method, path, headers: headers, body: Array(body.utf8)))
        return try readResponse()
    }

    /// Reads one response: its head, then a body framed by Content-Length or chunks (or, when
    /// `untilCloseWithoutLength` and neither is given, by the server closing the connection).
    func readResponse(untilCloseWithoutLength: Bool = false) throws -> Response {
        let head = try readHead()
        var lines = head.split(separator: "\r\n")
        guard let statusLine = lines.first, let status = Int(statusLine.split(separator: " ")[1]) else {
            throw Failure(description: "bad status line in \(head)")
        }
        lines.removeFirst()
        var headers: [String: String] = [:]
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body: [UInt8] = []
        if headers["transfer-encoding"]?.lowercased() == "chunked" {
            while true {
                let sizeLine = try readLine()
                guard let size = Int(sizeLine.split(separator: ";")[0], radix: 16) else { throw Failure(description: "bad chunk size \(sizeLine)") }
                if size == 0 {
                    _ = try readLine()
                    break
                }
                body += try read(count: size)
                _ = try readLine()
            }
        } else if let length = headers["content-length"].flatMap(Int.init) {
            body = try read(count: length)
        } else if untilCloseWithoutLength {
            while (try? fill()) != nil {}
            body = buffered
            buffered = []
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection without answering, within the receive timeout.
    func closedWithoutAnswer() -> Bool {
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, 0) == 0
    }

    /// Waits for the first bytes of a response, keeping them for `readResponse()`.
    func waitForFirstBytes() throws {
        if buffered.isEmpty { try fill() }
    }

    private func readHead() throws -> String {
        while true {
            if let end = buffered.firstRange(of: [13, 10, 13, 10]) {
                let head = String(decoding: buffered[..<end.lowerBound], as: UTF8.self)
                buffered.removeSubrange(..<end.upperBound)
                return head
            }
            try fill()
        }
    }

    private func readLine() throws -> String {
        while true {
            if let end = buffered.firstRange(of: [13, 10]) {
                let line = String(decoding: buffered[..<end.lowerBound], as: UTF8.self)
                buffered.removeSubrange(..<end.upperBound)
                return line
            }
            try fill()
        }
    }

    private func read(count: Int) throws -> [UInt8] {
        while buffered.count < count { try fill() }
        let bytes = Array(buffered[..<count])
        buffered.removeSubrange(..<count)
        return bytes
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 65_536)
        let received = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
        guard received > 0 else { throw Failure(description: received == 0 ? "connection closed by the server" : "recv: errno \(errno)") }
        buffered += chunk[..<received]
    }
}

/// Runs blocking work on a thread of its own, so it cannot starve the cooperative pool (two
/// threads on a two-core machine) that the test itself runs on.
func onNewThread<Value: Sendable>(_ body: @escaping @Sendable () throws -> Value) async throws -> Value {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
    }
}

/// Runs `body` on `count` threads at once and waits for all of them: real concurrent clients,
/// independent of the test runner's cooperative pool (`atOnce`, without the timings).
func onThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) async {
    _ = await atOnce(count, body)
}
