/// The text of a settings file (`--env-file`), in the form container tools read: `NAME=value` a
/// line (`\n` or `\r\n`), `export ` allowed before it, `#` comments and blank lines skipped,
/// spaces and tabs around the name and the value dropped, then one pair of surrounding quotes
/// (`"` or `'`) removed. Only `LEADWIRE_*` names belong in it. Linear in the text.
public enum SettingsText {
    /// A line that is not a setting, by its number (from 1).
    public struct Problem: Error {
        public let line: Int
        public let message: String
    }

    public static func parse(_ text: String) throws(Problem) -> [String: String] {
        var settings: [String: String] = [:]
        for (index, rawLine) in text.unicodeScalars.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = trimmed(rawLine.last == "\r" ? rawLine.dropLast() : rawLine)
            if line.isEmpty || line.first == "#" { continue }
            if line.starts(with: "export ".unicodeScalars) { line = trimmed(line.dropFirst("export ".count)) }
            guard let equals = line.firstIndex(of: "=") else {
                throw Problem(line: index + 1, message: "expected NAME=value, got \"\(String(String.UnicodeScalarView(line.prefix(60))))\".")
            }
            let name = String(String.UnicodeScalarView(trimmed(line[..<equals])))
            guard name.hasPrefix("LEADWIRE_"), name.unicodeScalars.allSatisfy({ ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }) else {
                throw Problem(line: index + 1, message: "\(name) is not a Leadwire setting (their names start with LEADWIRE_).")
            }
            var value = trimmed(line[line.index(after: equals)...])
            if value.count >= 2, let quote = value.first, quote == "\"" || quote == "'", value.last == quote {
                value = value.dropFirst().dropLast()
            }
            settings[name] = String(String.UnicodeScalarView(value))
        }
        return settings
    }

    private static func trimmed(_ text: Substring.UnicodeScalarView) -> Substring.UnicodeScalarView {
        let isBlank = { (scalar: Unicode.Scalar) in scalar == " " || scalar == "\t" }
        guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) }) else { return text[text.endIndex...] }
        return text[first...last]
    }
}
