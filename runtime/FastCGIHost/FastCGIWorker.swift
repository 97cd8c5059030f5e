#if canImport(Glibc)
import Glibc
#endif
import Foundation
import ProcessSpawning
import Synchronization

/// One long-lived function process and the Unix socket it listens on, given to it as fd 0 the
/// way FastCGI hosts start their applications. Each worker has a socket of its own, so the
/// runtime knows which process holds a request and can stop that one alone.
final class FastCGIWorker: Sendable {
    let socketPath: String
    let process: ChildProcess
    let startedAt: ContinuousClock.Instant
    private let retired = Mutex(false)

    struct StartFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Binds `socketPath` afresh and starts `executable` listening on it.
    init(executable: String, socketPath: String, environment: [String: String]) throws {
        self.socketPath = socketPath
        let listener = try Self.listen(on: socketPath)
        defer { close(listener) }  // the process keeps its own copy
        process = try ChildReaper.shared.spawn(executable, environment: environment, standardInput: .descriptor(listener)).process
        startedAt = .now
    }

    /// Whether it can take another request: not stopped by the runtime, not ended.
    var isUsable: Bool { !retired.withLock { $0 } && !process.hasExited }

    /// Stops the process for good (it overran its time, or its reader went away mid-answer);
    /// the pool starts a replacement once it has ended.
    func retire() {
        retired.withLock { $0 = true }
        process.send(SIGKILL)
    }

    private static func listen(on path: String) throws -> Int32 {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        guard bytes.count < MemoryLayout.size(ofValue: address.sun_path) else { throw StartFailure(description: "socket path too long: \(path)") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let descriptor = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        unlink(path)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard descriptor >= 0, bound == 0, Glibc.listen(descriptor, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            if descriptor >= 0 { close(descriptor) }
            throw StartFailure(description: "cannot listen on \(path): \(reason)")
        }
        return descriptor
    }
}
