#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Where one `runtime serve` keeps its FastCGI processes' sockets: `$TMPDIR/leadwire-runtime-<pid>`,
/// open to its owner only. The runtime removes it when it stops; one killed outright (SIGKILL,
/// the machine's out-of-memory killer) cannot, so each runtime that starts removes the folders
/// of runtimes that are gone, and they do not pile up in the temporary folder.
enum SocketFolder {
    static let prefix = "leadwire-runtime-"

    /// Makes this process's folder, after removing those of runtimes that have ended.
    static func make() throws -> String {
        let temporary = FileManager.default.temporaryDirectory
        removeFoldersOfEndedRuntimes(in: temporary)
        let folder = temporary.appending(path: prefix + String(getpid())).path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        return folder
    }

    /// A folder goes only when no process has its pid (`kill(pid, 0)` says ESRCH). A live
    /// process, another user's included (EPERM), keeps its folder, even should it be another
    /// program that was given a gone runtime's pid: then the folder stays, which is harmless.
    private static func removeFoldersOfEndedRuntimes(in temporary: URL) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: temporary.path) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = pid_t(name.dropFirst(prefix.count)), pid > 0, kill(pid, 0) == -1, errno == ESRCH else { continue }
            try? FileManager.default.removeItem(at: temporary.appending(path: name))
        }
    }
}
