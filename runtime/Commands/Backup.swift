import ArgumentParser
import LeadwireStore

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy the database consistently while functions write to it, and check the copy.",
        discussion: """
            The copy is one snapshot of the store (SQLite's VACUUM INTO), checked with PRAGMA integrity_check \
            before it appears at PATH. To restore: stop the functions, replace the database file with the copy \
            and delete the old file's -wal and -shm companions, then start them again.
            """)

    @Argument(help: "Where to write the copy: a file that does not exist yet.")
    var path: String

    @OptionGroup var options: RuntimeOptions

    func run() throws {
        let bytes = try options.openExistingDatabase().backUp(to: path)
        print("\(options.databasePath) backed up to \(path) (\(bytes) bytes, integrity ok)")
    }
}
