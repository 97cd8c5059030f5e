import FunctionKit

/// A JSON Schema as the OpenAPI document uses one, built from the constructors and modifiers
/// below (`.string.maxLength(2048)`, `.object(["id": .integer], required: ["id"])`), so the
/// document is Swift values the compiler checks rather than text kept by hand.
struct Schema: Sendable {
    private(set) var members: [(key: String, value: JSONValue)]

    var json: JSONValue { .object(JSONObject(members)) }

    /// Any value.
    static let anything = Schema(members: [])
    static let string = type("string")
    static let integer = type("integer")
    static let number = type("number")
    static let boolean = type("boolean")
    /// An object of any members.
    static let object = type("object")
    /// An array of any items.
    static let array = type("array")

    /// One of several JSON types (`["string", "null"]`).
    static func type(_ names: String...) -> Schema {
        Schema(members: [("type", names.count == 1 ? .string(names[0]) : .array(names.map(JSONValue.string)))])
    }

    /// A schema of the document's components (`#/components/schemas/<name>`).
    static func ref(_ name: String) -> Schema { Schema(members: [("$ref", .string("#/components/schemas/\(name)"))]) }

    static func object(_ properties: KeyValuePairs<String, Schema>, required: [String] = []) -> Schema {
        var schema = object
        if !required.isEmpty { schema = schema.with("required", .array(required.map(JSONValue.string))) }
        return properties.isEmpty ? schema : schema.with("properties", .object(JSONObject(properties.map { ($0.key, $0.value.json) })))
    }

    static func array(of items: Schema) -> Schema { array.with("items", items.json) }

    /// Exactly one of `values`, of whatever type.
    static func oneOf(_ values: String...) -> Schema { oneOf(values) }
    static func oneOf(_ values: [String]) -> Schema { Schema(members: [("enum", .array(values.map(JSONValue.string)))]) }

    static func constant(_ value: Bool) -> Schema { Schema(members: [("const", .bool(value))]) }
    static func constant(_ value: String) -> Schema { Schema(members: [("const", .string(value))]) }

    func described(_ text: String) -> Schema { with("description", .string(text)) }
    func allowing(_ values: String...) -> Schema { allowing(values) }
    func allowing(_ values: [String]) -> Schema { with("enum", .array(values.map(JSONValue.string))) }
    func minLength(_ count: Int) -> Schema { with("minLength", .number(String(count))) }
    func maxLength(_ count: Int) -> Schema { with("maxLength", .number(String(count))) }
    func minimum(_ value: Int) -> Schema { with("minimum", .number(String(value))) }
    func maximum(_ value: Int) -> Schema { with("maximum", .number(String(value))) }
    func minItems(_ count: Int) -> Schema { with("minItems", .number(String(count))) }
    func maxItems(_ count: Int) -> Schema { with("maxItems", .number(String(count))) }
    func pattern(_ expression: String) -> Schema { with("pattern", .string(expression)) }
    func format(_ name: String) -> Schema { with("format", .string(name)) }
    func defaultValue(_ value: Int) -> Schema { with("default", .number(String(value))) }
    func defaultValue(_ value: Bool) -> Schema { with("default", .bool(value)) }
    func defaultValue(_ value: String) -> Schema { with("default", .string(value)) }
    func examples(_ values: String...) -> Schema { with("examples", .array(values.map(JSONValue.string))) }
    /// No members but the properties named.
    var closed: Schema { with("additionalProperties", .bool(false)) }
    func additionalProperties(_ schema: Schema) -> Schema { with("additionalProperties", schema.json) }

    private func with(_ key: String, _ value: JSONValue) -> Schema {
        Schema(members: members + [(key, value)])
    }
}
