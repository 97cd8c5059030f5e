import Crypto
import Foundation

/// What a process wrote and what it cost, measured by the kernel (wait4), not by sampling.
struct MeasuredRun {
    let exitStatus: Int32
    let output: [UInt8]
    let outputByteCount: Int
    let outputSHA256: String
    let peakResidentKilobytes: Int
}

/// Runs an executable with stdin empty, streaming its stdout through SHA-256 (keeping at most
/// `keepBytes` of it), and reports its peak resident memory.
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

    var hasher = SHA256()
    var kept: [UInt8] = []
    var total = 0
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(output[0], $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { break }
        hasher.update(data: chunk[..<count])
        if kept.count < keepBytes { kept += chunk[..<min(count, keepBytes - kept.count)] }
        total += count
    }
    close(output[0])
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let peak = (try? String(contentsOfFile: report, encoding: .utf8)).flatMap { Int($0.split(separator: "\n").last ?? "") } ?? -1
    let digest = hasher.finalize().map { String(format: "%02x", $0) }.joined()
    return MeasuredRun(exitStatus: status, output: kept, outputByteCount: total, outputSHA256: digest, peakResidentKilobytes: peak)
}
