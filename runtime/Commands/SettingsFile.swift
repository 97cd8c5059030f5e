import ArgumentParser
import Foundation
import FunctionKit
import Synchronization

/// A settings file (`--env-file`), read as `SettingsText` says. The values are checked where
/// they are used, exactly as when they come from the environment.
enum SettingsFile {
    /// Files already read, by path: commands ask for their environment many times, and the
    /// file is read once.
    private static let cache = Mutex<[String: [String: String]]>([:])

    static func read(_ path: String) throws -> [String: String] {
        if let settings = cache.withLock({ $0[path] }) { return settings }
        let settings = try parse(path)
        cache.withLock { $0[path] = settings }
        return settings
    }

    private static func parse(_ path: String) throws -> [String: String] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ValidationError("Cannot read the settings file \(path): \(error.localizedDescription)")
        }
        do {
            return try SettingsText.parse(text)
        } catch {
            throw ValidationError("\(path), line \(error.line): \(error.message)")
        }
    }
}
