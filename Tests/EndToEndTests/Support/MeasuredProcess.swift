import Crypto
import Foundation

/// What a process wrote and what it cost, measured by the kernel (wait4), not by sampling.
struct MeasuredRun {
    let exitStatus: Int32
    let output: [UInt8]
    let outputByteCount: Int
    /// The body's bytes, after the CGI header block and its blank line.
    let bodyByteCount: Int
    /// SHA-256 of the body (swift-crypto's, not the code under test's).
    let bodySHA256: String
    let peakResidentKilobytes: Int
}

/// Runs a CGI executable with stdin empty, streaming the body it writes through SHA-256
/// (keeping at most `keepBytes` of its output), and reports its peak resident memory.
///
/// The memory figure comes from GNU time, not from our own wait4: on Linux a child's
/// `ru_maxrss` starts at its parent's high-water mark (exec carries it over), so a measurement
/// taken from this large test process would mostly measure the test. GNU time is tiny.
func runMeasured(_ target: URL, environment: [String: String], keepBytes: Int = 4096) throws -> MeasuredRun {
    let time = URL(fileURLWithPath: "/usr/bin/time")
    guard FileManager.default.isExecutableFile(atPath: time.path) else {
        throw TestSetupError("GNU time is not installed: run scripts/setup (apt-get install time)")
    }
    let report = FileManager.default.temporaryDirectory.appending(path: "rss-\(UUID().uuidString)").path
    var output: [Int32] = [0, 0]
    guard pipe(&output) == 0 else { throw TestSetupError("pipe failed") }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_adddup2(&actions, output[1], 1)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addclose(&actions, output[0])

    let argv: [UnsafeMutablePointer<CChar>?] = [strdup(time.path), strdup("-f"), strdup("%M"), strdup("-o"), strdup(report), strdup(target.path), nil]
    let envp: [UnsafeMutablePointer<CChar>?] = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { (argv + envp).forEach { free($0) } }
    var pid: pid_t = 0
    guard posix_spawn(&pid, time.path, &actions, nil, argv, envp) == 0 else { throw TestSetupError("cannot start \(target.path)") }
    close(output[1])

    var body = CGIBodyHasher()
    var kept: [UInt8] = []
    var total = 0
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        body.update(chunk[..<count])
        if kept.count < keepBytes { kept += chunk[..<min(count, keepBytes - kept.count)] }
        total += count
    }
    close(output[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let peak = (try? String(contentsOfFile: report, encoding: .utf8)).flatMap { Int($0.split(separator: "\n").last ?? "") } ?? -1
    return MeasuredRun(
        exitStatus: status, output: kept, outputByteCount: total, bodyByteCount: body.bodyByteCount, bodySHA256: body.digest,
        peakResidentKilobytes: peak)
}

/// Hashes what follows the first blank line (LF LF) of a CGI answer, as it streams past.
struct CGIBodyHasher {
    private var hasher = SHA256()
    private var previous: UInt8 = 0
    private var inBody = false
    private(set) var bodyByteCount = 0

    mutating func update(_ bytes: ArraySlice<UInt8>) {
        var start = bytes.startIndex
        if !inBody {
            for index in bytes.indices {
                if bytes[index] == 0x0A, previous == 0x0A {
                    inBody = true
                    start = index + 1
                    break
                }
                if bytes[index] != 0x0D { previous = bytes[index] }
            }
            guard inBody else { return }
        }
        hasher.update(data: bytes[start...])
        bodyByteCount += bytes.endIndex - start
    }

    var digest: String { hasher.finalize().map { String(format: "%02x", $0) }.joined() }
}
