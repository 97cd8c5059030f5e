/// Prometheus' text exposition format (version 0.0.4): each family's `# HELP` and `# TYPE`
/// once, then its samples, label values escaped as the format requires.
struct Exposition {
    private(set) var text = ""

    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// Starts a family; its samples follow with `sample`.
    mutating func family(_ name: String, _ type: String, _ help: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Double) {
        text += name
        if !labels.isEmpty {
            text += "{" + labels.map { "\($0.0)=\"\(Self.escaped($0.1))\"" }.joined(separator: ",") + "}"
        }
        text += " " + Self.number(value) + "\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: Int64) {
        sample(name, labels, Double(value))
    }

    /// A whole number without a fraction, anything else as Swift prints it; the format's own
    /// spellings for the values that are not numbers.
    static func number(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }

    /// Backslash, double quote and line feed are escaped in a label value.
    static func escaped(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
