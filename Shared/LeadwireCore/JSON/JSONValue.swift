/// A JSON document as a tree: what webhook bodies are parsed into, whatever they arrived as
/// (JSON or PHP-style form fields), and what is stored as `raw_data` / `payload`.
///
/// Numbers keep their literal text, so a 19-digit CRM id survives a round trip exactly.
/// Objects keep the order their keys arrived in, so stored payloads read like the original.
public enum JSONValue: Sendable, Equatable {
    /// How deep JSON (and a form body's keys) may nest unless LEADWIRE_MAX_NESTING_DEPTH says
    /// otherwise: deeper input is refused before it can exhaust the stack.
    public static let defaultMaxDepth = 64

    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

/// JSON object members in arrival order. Webhook objects are small, so lookup is a linear scan.
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JSONValue)]

    public init(_ members: [(key: String, value: JSONValue)] = []) {
        self.members = members
    }

    public var keys: [String] { members.map(\.key) }
    public var isEmpty: Bool { members.isEmpty }

    /// Reading gives the member's value; assigning replaces it in place or appends a new member.
    public subscript(key: String) -> JSONValue? {
        get { members.first { $0.key == key }?.value }
        set {
            let index = members.firstIndex { $0.key == key }
            switch (index, newValue) {
            case let (index?, value?): members[index].value = value
            case let (index?, nil): members.remove(at: index)
            case let (nil, value?): members.append((key, value))
            case (nil, nil): break
            }
        }
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members.count == rhs.members.count
            && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}

// MARK: - Reading values the way CRMs send them

extension JSONValue {
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    public subscript(index: Int) -> JSONValue? {
        if case .array(let items) = self, items.indices.contains(index) { return items[index] }
        return nil
    }

    /// Text of a string, or the literal of a number or boolean (CRMs mix the two freely).
    public var text: String? {
        switch self {
        case .string(let value): value
        case .number(let literal): literal
        case .bool(let value): value ? "true" : "false"
        default: nil
        }
    }

    /// An integer from a JSON number or a decimal string such as Kommo's `"12345"`.
    /// Empty strings and non-integers give nil.
    public var int64: Int64? {
        guard let text = text?.trimmingSpaces, !text.isEmpty else { return nil }
        return Int64(text)
    }

    /// A decimal from a JSON number or a numeric string; empty strings give nil, and so do
    /// `inf`, `nan` and numbers too large for a Double (`1e999`), which no JSON number or
    /// SQL column can hold.
    public var double: Double? {
        guard let text = text?.trimmingSpaces, !text.isEmpty, let value = Double(text), value.isFinite else { return nil }
        return value
    }

    /// The elements of an array, or the values of an object in order (PHP-style lists arrive
    /// either way), or nil for a scalar.
    public var elements: [JSONValue]? {
        switch self {
        case .array(let items): items
        case .object(let object): object.members.map(\.value)
        default: nil
        }
    }

    public var object: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    public var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }
}
