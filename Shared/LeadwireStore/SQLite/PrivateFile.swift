#if canImport(Glibc)
import Glibc
#endif

/// SQLite creates a database file with mode 0644 (less the umask), and its -wal and -shm
/// companions with the database file's mode: customer data readable by every user of the
/// machine. Creating the file first, empty and 0600, makes the database and its companions
/// the owner's alone (an empty file is a new database to SQLite, and to `VACUUM INTO`).
enum PrivateFile {
    /// Creates `path` empty with mode 0600 unless something is there already; names that are
    /// not files (`:memory:`, `file:` URIs) are left to SQLite.
    static func create(_ path: String) {
        guard !path.isEmpty, path != ":memory:", !path.hasPrefix("file:") else { return }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        if descriptor >= 0 { close(descriptor) }
    }
}
