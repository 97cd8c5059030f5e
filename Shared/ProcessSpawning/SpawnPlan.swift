#if canImport(Glibc)
public import Glibc
#endif
import CGlibcExtras

/// The descriptors and `posix_spawn` settings for one child: pipes made close-on-exec in the
/// parent, duplicated onto 0, 1 and 2 in the child, and everything else closed there. The child
/// starts with no signal blocked and every signal at its default, whatever the parent ignores
/// or handles (a function must not inherit the runtime's ignored SIGPIPE).
public struct SpawnPlan {
    /// For each standard stream (0, 1, 2) that is a pipe: the child's end and the parent's end.
    private var pipes: [Int32: (child: Int32, parent: Int32)] = [:]
    private let streams: [ChildStream]

    public init(standardInput: ChildStream, standardOutput: ChildStream, standardError: ChildStream) throws(SpawnError) {
        streams = [standardInput, standardOutput, standardError]
        for (target, stream) in streams.enumerated() {
            guard case .pipe = stream else { continue }
            var ends: [Int32] = [0, 0]
            guard leadwire_pipe_cloexec(&ends) == 0 else {
                let code = errno
                closeChildEnds()
                closeParentEnds()
                throw SpawnError("cannot create a pipe", errno: code)
            }
            // ends[0] reads, ends[1] writes: the child reads its stdin and writes the others.
            pipes[Int32(target)] = target == 0 ? (child: ends[0], parent: ends[1]) : (child: ends[1], parent: ends[0])
        }
    }

    public func parentEnd(of target: Int32) -> Int32? { pipes[target]?.parent }

    public mutating func closeChildEnds() {
        for (target, ends) in pipes where ends.child >= 0 {
            close(ends.child)
            pipes[target]?.child = -1
        }
    }

    public mutating func closeParentEnds() {
        for (target, ends) in pipes where ends.parent >= 0 {
            close(ends.parent)
            pipes[target]?.parent = -1
        }
    }

    public func spawn(_ executable: String, arguments: [String], environment: [String: String]) throws(SpawnError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (index, stream) in streams.enumerated() {
            let target = Int32(index)
            switch stream {
            case .pipe: posix_spawn_file_actions_adddup2(&actions, pipes[target]!.child, target)
            case .inherit: break
            case .nullDevice: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == 0 ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let descriptor): posix_spawn_file_actions_adddup2(&actions, descriptor, target)
            }
        }
        leadwire_spawn_add_closefrom(&actions, 3)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var everySignal = sigset_t()
        sigfillset(&everySignal)
        posix_spawnattr_setsigdefault(&attributes, &everySignal)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else { throw SpawnError("cannot start \(executable)", errno: result) }
        return pid
    }
}

/// Where one of a child's standard streams goes.
public enum ChildStream: Sendable {
    /// A new pipe; the parent gets the other end.
    case pipe
    /// The runtime's own descriptor of the same number.
    case inherit
    case nullDevice
    /// A descriptor the runtime holds (a FastCGI listening socket, a log file); the runtime keeps it.
    case descriptor(Int32)
}

public struct SpawnError: Error, CustomStringConvertible {
    public let description: String

    public init(_ what: String, errno code: Int32) {
        description = "\(what): \(String(cString: strerror(code)))"
    }
}
