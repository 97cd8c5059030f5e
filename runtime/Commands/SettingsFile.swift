import ArgumentParser
import Foundation
import Synchronization

/// A settings file (`--env-file`), in the form container tools read: `NAME=value` a line,
/// `export ` allowed before it, `#` comments and blank lines skipped, one pair of surrounding
/// quotes removed. Only `LEADWIRE_*` names belong in it; the values are checked where they are
/// used, exactly as when they come from the environment.
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
        var settings: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line = String(line.dropFirst("export ".count)).trimmingCharacters(in: .whitespaces) }
            guard let equals = line.firstIndex(of: "=") else {
                throw ValidationError("\(path), line \(index + 1): expected NAME=value, got \"\(line.prefix(60))\".")
            }
            let name = String(line[..<equals]).trimmingCharacters(in: .whitespaces)
            guard name.hasPrefix("LEADWIRE_"), name.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber || $0 == "_") }) else {
                throw ValidationError("\(path), line \(index + 1): \(name) is not a Leadwire setting (their names start with LEADWIRE_).")
            }
            var value = String(line[line.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = String(value.dropFirst().dropLast())
            }
            settings[name] = value
        }
        return settings
    }
}
