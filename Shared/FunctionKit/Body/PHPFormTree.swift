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
/// Time and memory are linear in the body: each field costs, per bracket level, a scan of at most
/// 16 keys or one hash lookup.
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
        // One buffer for every decoded name: the path's parts are ranges of it.
        var name: [UInt8] = []
        // Fields found by scanning for `&` (not `split`, which builds an array of every field
        // through a closure, and took an eighth of a Kommo body's parse).
        var start = body.startIndex
        while start < body.endIndex {
            let end = body[start...].firstIndex(of: UInt8(ascii: "&")) ?? body.endIndex
            let segment = body[start..<end]
            start = end + 1
            guard !segment.isEmpty else { continue }
            let equals = segment.firstIndex(of: UInt8(ascii: "=")) ?? segment.endIndex
            name.removeAll(keepingCapacity: true)
            URLEncoding.decode(segment[..<equals], into: &name)
            let value = equals == segment.endIndex ? "" : URLEncoding.decode(segment[segment.index(after: equals)...])
            try root.insert(value, at: KeyPath(name), limits: limits)
        }
        return root.jsonValue
    }

    /// The parts of a decoded field name, one bracket level at a time: `a[b][0][]` → "a", "b",
    /// "0", "", as ranges of its bytes. Text after an unclosed `[` is part of the last key, and
    /// anything after the final `]` is ignored, as PHP does. Brackets are ASCII, so a range never
    /// splits a UTF-8 character, and no array or string is made for the path itself.
    struct KeyPath {
        let name: [UInt8]
        /// Where the bracket levels start, when the name has a complete bracket pair.
        private var rest: Int?
        private(set) var depth = 0

        init(_ name: [UInt8]) {
            self.name = name
            if let open = name.firstIndex(of: UInt8(ascii: "[")), name[open...].contains(UInt8(ascii: "]")) { rest = open }
        }

        /// The next part, or nil after the last. The first part is the whole name when it has
        /// no complete bracket pair.
        mutating func next() -> Range<Int>? {
            if depth == 0 {
                depth = 1
                return 0..<(rest ?? name.count)
            }
            guard let start = rest, start < name.count, name[start] == UInt8(ascii: "["),
                let close = name[(start + 1)...].firstIndex(of: UInt8(ascii: "]"))
            else { return nil }
            depth += 1
            rest = close + 1
            return (start + 1)..<close
        }
    }

    static func tooDeep(_ name: String, _ maxDepth: Int) -> FormTooComplex {
        FormTooComplex("The form field \(String(name.prefix(40)))… is nested more than \(maxDepth) levels deep (LEADWIRE_MAX_NESTING_DEPTH).")
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
        /// Positions by key, made once a level has more keys than a short scan should compare:
        /// most levels of a webhook have a handful, and hashing costs more than comparing those.
        private var positions: [Key: Int]?
        private static let scannedKeys = 16
        /// The key `[]` takes next: one more than the largest integer key so far; nil (0) before any.
        private var nextIndex: Int?

        enum Child {
            case leaf(String)
            case branch(Branch)
        }

        func insert(_ value: String, at path: KeyPath, limits: FormLimits) throws(FormTooComplex) {
            var path = path
            var branch = self
            var part = path.next()
            while let key = part {
                let resolved = try branch.resolve(path.name[key], limits: limits)
                part = path.next()
                guard path.depth <= limits.maxDepth + 1 else { throw tooDeep(String(decoding: path.name, as: UTF8.self), limits.maxDepth) }
                if part == nil {
                    branch.set(resolved, .leaf(value))
                } else if let position = branch.position(of: resolved), case .branch(let existing) = branch.children[position] {
                    branch = existing
                } else {
                    let child = Branch()
                    branch.set(resolved, .branch(child))
                    branch = child
                }
            }
        }

        private func position(of key: Key) -> Int? {
            if let positions { return positions[key] }
            return keys.firstIndex(of: key)
        }

        /// The key a path element stands for (`[]` is the next index), checked against the limit.
        private func resolve(_ key: ArraySlice<UInt8>, limits: FormLimits) throws(FormTooComplex) -> Key {
            let integer = key.isEmpty ? nil : Self.integerKey(key)
            guard key.isEmpty || integer != nil else { return .name(String(decoding: key, as: UTF8.self)) }
            let index = integer ?? nextIndex ?? 0
            guard index <= limits.maxIndex else {
                throw FormTooComplex("The form uses the index \(index); at most \(limits.maxIndex) is accepted (LEADWIRE_MAX_FORM_INDEX).")
            }
            nextIndex = max(nextIndex ?? index + 1, index + 1)
            return .index(index)
        }

        private func set(_ key: Key, _ child: Child) {
            if let position = position(of: key) {
                children[position] = child
                return
            }
            positions?[key] = children.count
            keys.append(key)
            children.append(child)
            if positions == nil, keys.count > Self.scannedKeys {
                positions = Dictionary(uniqueKeysWithValues: zip(keys, keys.indices))
            }
        }

        /// The key's integer value when it is written the way PHP numbers arrays (`7`, `-3`; not
        /// `07`, `+7` or `-0`), read without allocating; nil for any other key, and for one too
        /// large for an Int, which stays a text key.
        private static func integerKey(_ key: ArraySlice<UInt8>) -> Int? {
            var digits = key
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
