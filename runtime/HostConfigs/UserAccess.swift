import Glibc

/// What a user (the one the functions run as) may do with a file, from its mode bits, owner and
/// group and the folders above it, the way the kernel decides: `host-config` runs as root, for
/// whom `access()` says yes to everything.
struct UserAccess {
    let uid: uid_t
    let groups: Set<gid_t>

    /// Nil when there is no such user on this machine.
    init?(user: String) {
        guard let entry = getpwnam(user) else { return nil }
        uid = entry.pointee.pw_uid
        let primary = entry.pointee.pw_gid
        var count: Int32 = 64
        var list = [gid_t](repeating: 0, count: Int(count))
        if getgrouplist(user, primary, &list, &count) == -1 {
            list = [gid_t](repeating: 0, count: Int(count))
            _ = getgrouplist(user, primary, &list, &count)
        }
        groups = Set(list.prefix(Int(max(count, 0)))).union([primary])
    }

    func canRead(_ path: String) -> Bool { canReach(path) && allows(path, bits: (0o400, 0o040, 0o004)) }
    func canRun(_ path: String) -> Bool { canReach(path) && allows(path, bits: (0o100, 0o010, 0o001)) }

    /// Whether every folder above `path` may be entered.
    private func canReach(_ path: String) -> Bool {
        var folder = ""
        for part in path.split(separator: "/").dropLast() {
            folder += "/" + part
            guard allows(folder, bits: (0o100, 0o010, 0o001)) else { return false }
        }
        return true
    }

    private func allows(_ path: String, bits: (owner: mode_t, group: mode_t, other: mode_t)) -> Bool {
        var status = stat()
        guard stat(path, &status) == 0 else { return false }
        if uid == 0 { return true }
        if status.st_uid == uid { return status.st_mode & bits.owner != 0 }
        if groups.contains(status.st_gid) { return status.st_mode & bits.group != 0 }
        return status.st_mode & bits.other != 0
    }
}
