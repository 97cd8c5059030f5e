/// Builds one tree from form fields with PHP-style nested keys, the way Kommo and amoCRM send
/// webhooks: `leads[add][0][custom_fields][0][values][0][value]=...`.
///
/// - Every value stays a string, as sent.
/// - A bracket level whose keys are exactly 0...n-1 (in any order) becomes an array in index
///   order; any other level is an object in first-seen key order. So `values[0]=1625086800`
///   (a date field) is `["1625086800"]` and `values[value]=x&values[enum]=7` stays an object.
/// - `name[]=a&name[]=b` appends, as in PHP.
/// - When a key is given twice, the later value wins (PHP's rule), even across shapes.
public enum PHPFormTree {
    public static func parse(_ body: some Collection<UInt8>) -> JSONValue {
        var root = Node.branch([])
        for (name, value) in URLEncoding.pairs(body) {
            let path = keyPath(name)
            guard !path.isEmpty else { continue }
            root.insert(value, at: path[...])
        }
        return root.jsonValue
    }

    /// `a[b][0][]` → ["a", "b", "0", ""]. Text after an unclosed `[` is part of the last key,
    /// and anything after the final `]` is ignored, as PHP does.
    static func keyPath(_ name: String) -> [String] {
        guard let open = name.firstIndex(of: "["), name[open...].contains("]") else { return [name] }
        var path = [String(name[..<open])]
        var rest = name[open...]
        while rest.first == "[", let close = rest.firstIndex(of: "]") {
            path.append(String(rest[rest.index(after: rest.startIndex)..<close]))
            rest = rest[rest.index(after: close)...]
        }
        return path
    }

    private indirect enum Node {
        case leaf(String)
        case branch([(key: String, node: Node)])

        mutating func insert(_ value: String, at path: ArraySlice<String>) {
            guard let key = path.first else {
                self = .leaf(value)
                return
            }
            var children: [(key: String, node: Node)]
            if case .branch(let existing) = self { children = existing } else { children = [] }
            // `[]` appends: its key is the next free integer index, as PHP numbers it.
            let resolvedKey = key.isEmpty ? String(children.compactMap { Int($0.key) }.map { $0 + 1 }.max() ?? 0) : key
            if let index = children.firstIndex(where: { $0.key == resolvedKey }) {
                children[index].node.insert(value, at: path.dropFirst())
            } else {
                var child = Node.branch([])
                child.insert(value, at: path.dropFirst())
                children.append((resolvedKey, child))
            }
            self = .branch(children)
        }

        var jsonValue: JSONValue {
            switch self {
            case .leaf(let text):
                return .string(text)
            case .branch(let children):
                let indices = children.compactMap { child in Int(child.key).flatMap { String($0) == child.key ? $0 : nil } }
                if !children.isEmpty, indices.count == children.count, Set(indices) == Set(0..<children.count) {
                    return .array(children.sorted { Int($0.key)! < Int($1.key)! }.map(\.node.jsonValue))
                }
                return .object(JSONObject(children.map { (key: $0.key, value: $0.node.jsonValue) }))
            }
        }
    }
}
