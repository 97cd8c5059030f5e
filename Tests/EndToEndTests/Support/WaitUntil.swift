import Foundation

/// Waits until `condition` holds, looking every 20 ms; throws, naming `what`, after `seconds`.
/// The bound is for safety only (a machine starting dozens of processes at once can be slow):
/// a test orders its steps by what it sees, never by a guessed pause.
func waitUntil(_ what: String, seconds: Double = 30, _ condition: () throws -> Bool) async throws {
    let deadline = Date().addingTimeInterval(seconds)
    while try !condition() {
        guard Date() < deadline else { throw TestSetupError("not seen within \(seconds) s: \(what)") }
        try await Task.sleep(for: .milliseconds(20))
    }
}
