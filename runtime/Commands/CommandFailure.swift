/// Why a command could not do its work, said so a person can act on it. Thrown from `run()`
/// rather than ArgumentParser's `ValidationError`, which would print the top-level usage
/// (`runtime <subcommand>`) under a message that has nothing to do with it.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
