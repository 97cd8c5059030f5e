import CSQLite
#if canImport(Glibc)
import Glibc
#endif

extension Database {
    /// Writes a consistent copy of the database to `path` while other processes keep writing:
    /// `VACUUM INTO` reads one snapshot (WAL readers never block writers, nor writers them) and
    /// writes it compacted. The copy goes to a temporary name beside `path` and is renamed only
    /// once SQLite's `integrity_check` passes on it, so a file at `path` is always a whole,
    /// checked backup, readable by its owner only (0600). Returns the copy's size in bytes.
    public func backUp(to path: String) throws -> Int64 {
        guard dialect == .sqlite else {
            throw BackupFailure("runtime backup copies the SQLite file; back up PostgreSQL with pg_dump or your provider's backups.")
        }
        guard access(path, F_OK) != 0 else { throw BackupFailure("\(path) exists already; give a new file name.") }
        let partial = path + ".partial"
        unlink(partial)
        do {
            // A copy of customer data: the owner's alone, like the database itself.
            PrivateFile.create(partial)
            try run("VACUUM INTO ?", [.text(partial)])
            let verdict = try Self.integrityCheck(partial)
            guard verdict == "ok" else { throw BackupFailure("the copy failed its integrity check: \(verdict)") }
        } catch {
            unlink(partial)
            throw error
        }
        guard rename(partial, path) == 0 else {
            unlink(partial)
            throw BackupFailure("cannot move the copy to \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        return stat(path, &status) == 0 ? Int64(status.st_size) : 0
    }
}

extension Database {
    /// `PRAGMA integrity_check` on a file opened read-only and immutable: the check changes
    /// nothing and leaves no -wal or -shm file beside the copy.
    static func integrityCheck(_ path: String) throws(BackupFailure) -> String {
        var handle: OpaquePointer?
        defer { sqlite3_close_v2(handle) }
        guard sqlite3_open_v2("file:\(path)?immutable=1", &handle, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, nil) == SQLITE_OK,
            let handle
        else { throw BackupFailure("cannot open the copy \(path) to check it") }
        var statement: OpaquePointer?
        defer { sqlite3_finalize(statement) }
        guard sqlite3_prepare_v2(handle, "PRAGMA integrity_check", -1, &statement, nil) == SQLITE_OK else {
            throw BackupFailure("cannot check the copy: \(String(cString: sqlite3_errmsg(handle)))")
        }
        var lines: [String] = []
        while sqlite3_step(statement) == SQLITE_ROW, lines.count < 5 {
            lines.append(String(cString: sqlite3_column_text(statement, 0)))
        }
        return lines.joined(separator: "; ")
    }
}

/// Why a backup was not made.
public struct BackupFailure: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
