/// Builds one tree from form fields with PHP-style nested keys, the way Kommo and amoCRM send
/// webhooks: `leads[add][0][custom_fields][0][values][0][value]=...`.
///
/// - Every value stays a string, as sent.
/// - A bracket level whose keys are exactly 0...n-1 (in any order) becomes an array in index
///   order; any other level is an object in first-seen key order. So `values[0]=1625086800`
///   (a date field) is `["1625086800"]` and `values[value]=x&values[enum]=7` stays an object.
/// - `name[]=a&name[]=b` appends, as in PHP: the key is one more than the largest integer key
///   of that level so far, negative ones included (`n[-5]=a&n[]=b` gives -4), or 0 on a level
///   with none.
/// - Names are kept as sent: PHP's renaming of a variable (a space or a dot in the first part
///   becomes `_`, a name cut at a NUL byte, one with no first part dropped) is for PHP
///   variables, and these are JSON keys.
/// - When a key is given twice, the later value wins (PHP's rule), even across shapes.
///
/// Time and memory are linear in the body: each field costs a hash lookup per bracket level.
/// `FormLimits` bounds the number of fields, the nesting and the integer keys.
public enum PHPFormTree {
    public static func parse(_ body: [UInt8], limits: FormLimits = FormLimits()) throws(FormTooComplex) -> JSONValue {
        let fieldCount = body.reduce(1) { $1 == UInt8(ascii: "&") ? $0 + 1 : $0 }
        if fieldCount > limits.maxFields {
            // Counting separators overestimates (empty segments are skipped), so count exactly.
            let exact = body.split(separator: UInt8(ascii: "&")).count
            guard exact <= limits.maxFields else {
                throw FormTooComplex("The form has \(exact) fields; at most \(limits.maxFields) are accepted (LEADWIRE_MAX_FORM_KEYS).")
            }
        }
        let root = Branch()
        for (name, value) in URLEncoding.pairs(body) {
            try root.insert(value, at: try keyPath(name, maxDepth: limits.maxDepth), limits: limits)
        }
        return root.jsonValue
    }

    /// `a[b][0][]` → ["a", "b", "0", ""]. Text after an unclosed `[` is part of the last key,
    /// and anything after the final `]` is ignored, as PHP does. More than `maxDepth` bracket
    /// levels is refused as soon as it is seen, before the rest of a long name is split.
    /// Works on the UTF-8 bytes: brackets are ASCII, and byte indices cost no grapheme breaking.
    static func keyPath(_ name: String, maxDepth: Int = FormLimits.defaultMaxDepth) throws(FormTooComplex) -> [String] {
        let bytes = name.utf8
        guard let open = bytes.firstIndex(of: UInt8(ascii: "[")), bytes[open...].contains(UInt8(ascii: "]")) else { return [name] }
        var path = [String(name[..<open])]
        var rest = bytes[open...]
        while rest.first == UInt8(ascii: "["), let close = rest.firstIndex(of: UInt8(ascii: "]")) {
            guard path.count <= maxDepth else {
                throw FormTooComplex(
                    "The form field \(String(name.prefix(40)))… is nested more than \(maxDepth) levels deep (LEADWIRE_MAX_NESTING_DEPTH).")
            }
            path.append(String(name[bytes.index(after: rest.startIndex)..<close]))
            rest = bytes[bytes.index(after: close)...]
        }
        return path
    }

    /// A key of one bracket level: an array index (PHP's integer keys, and `[]`) or a name.
    private enum Key: Hashable {
        case index(Int)
        case name(String)

        var text: String {
            switch self {
            case .index(let value): String(value)
            case .name(let name): name
            }
        }
    }

    /// One bracket level while the tree is built: children in first-seen order, found by key.
    private final class Branch {
        private var keys: [Key] = []
        private var children: [Child] = []
        private var positions: [Key: Int] = [:]
        /// The key `[]` takes next: one more than the largest integer key so far; nil (0) before any.
        private var nextIndex: Int?

        enum Child {
            case leaf(String)
            case branch(Branch)
        }

        func insert(_ value: String, at path: [String], limits: FormLimits) throws(FormTooComplex) {
            var branch = self
            for (level, key) in path.enumerated() {
                let resolved = try branch.resolve(key, limits: limits)
                if level == path.count - 1 {
                    branch.set(resolved, .leaf(value))
                } else if let position = branch.positions[resolved], case .branch(let existing) = branch.children[position] {
                    branch = existing
                } else {
                    let child = Branch()
                    branch.set(resolved, .branch(child))
                    branch = child
                }
            }
        }

        /// The key a path element stands for (`[]` is the next index), checked against the limit.
        private func resolve(_ key: String, limits: FormLimits) throws(FormTooComplex) -> Key {
            guard key.isEmpty || Self.integerKey(key) != nil else { return .name(key) }
            let index = key.isEmpty ? nextIndex ?? 0 : Self.integerKey(key)!
            guard index <= limits.maxIndex else {
                throw FormTooComplex("The form uses the index \(index); at most \(limits.maxIndex) is accepted (LEADWIRE_MAX_FORM_INDEX).")
            }
            nextIndex = max(nextIndex ?? index + 1, index + 1)
            return .index(index)
        }

        private func set(_ key: Key, _ child: Child) {
            if let position = positions[key] {
                children[position] = child
            } else {
                positions[key] = children.count
                keys.append(key)
                children.append(child)
            }
        }

        /// The key's integer value when it is written the way PHP numbers arrays (`7`, `-3`; not
        /// `07`, `+7` or `-0`), read without allocating; nil for any other key, and for one too
        /// large for an Int, which stays a text key.
        private static func integerKey(_ key: String) -> Int? {
            var digits = key.utf8[...]
            let negative = digits.first == UInt8(ascii: "-")
            if negative { digits = digits.dropFirst() }
            guard let first = digits.first, first != UInt8(ascii: "0") || (digits.count == 1 && !negative) else { return nil }
            var value = 0
            for digit in digits {
                guard digit >= UInt8(ascii: "0"), digit <= UInt8(ascii: "9") else { return nil }
                let (shifted, overflow) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowAgain) = shifted.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
                guard !overflow, !overflowAgain else { return nil }
                value = sum
            }
            return negative ? -value : value
        }

        var jsonValue: JSONValue {
            let values = children.map { child -> JSONValue in
                switch child {
                case .leaf(let text): .string(text)
                case .branch(let branch): branch.jsonValue
                }
            }
            if let order = arrayOrder() { return .array(order.map { values[$0] }) }
            return .object(JSONObject(zip(keys, values).map { (key: $0.text, value: $1) }))
        }

        /// When the keys are exactly 0...n-1, the child positions in index order; else nil.
        private func arrayOrder() -> [Int]? {
            guard !keys.isEmpty else { return nil }
            var order = [Int](repeating: -1, count: keys.count)
            for (position, key) in keys.enumerated() {
                guard case .index(let index) = key, index >= 0, index < keys.count, order[index] == -1 else { return nil }
                order[index] = position
            }
            return order
        }
    }
}

/// How complex a form body may be before it is refused: each is a setting with a default.
public struct FormLimits: Sendable {
    /// LEADWIRE_MAX_FORM_KEYS: fields in one body.
    public var maxFields: Int
    /// LEADWIRE_MAX_NESTING_DEPTH: bracket levels in one field name (and JSON nesting).
    public var maxDepth: Int
    /// LEADWIRE_MAX_FORM_INDEX: the largest integer key (`leads[add][N]`).
    public var maxIndex: Int

    public static let defaultMaxFields = 10_000
    public static let defaultMaxDepth = JSONValue.defaultMaxDepth
    public static let defaultMaxIndex = 100_000

    public init(maxFields: Int = defaultMaxFields, maxDepth: Int = defaultMaxDepth, maxIndex: Int = defaultMaxIndex) {
        self.maxFields = maxFields
        self.maxDepth = maxDepth
        self.maxIndex = maxIndex
    }
}

/// A form body past one of the `FormLimits`; the description names the limit and its setting.
public struct FormTooComplex: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
