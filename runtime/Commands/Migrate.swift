import ArgumentParser

struct Migrate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the database or bring its schema up to date.")

    @OptionGroup var options: RuntimeOptions

    func run() throws {
        let version = try options.migrate()
        print("\(options.storeDescription): schema version \(version)")
    }
}
