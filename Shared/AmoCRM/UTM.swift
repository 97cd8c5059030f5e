import FunctionKit

public enum UTMParameter: String, CaseIterable, Sendable {
    case source = "utm_source", medium = "utm_medium", campaign = "utm_campaign", content = "utm_content", term = "utm_term"
}

/// The UTM values of one deal. amoCRM keeps them in ordinary custom fields named `utm_source`
/// ... (codes `UTM_SOURCE` ...), which may be present without values (a field the deal never filled in).
struct UTMValues: Equatable {
    var values: [UTMParameter: String] = [:]

    subscript(parameter: UTMParameter) -> String? { values[parameter] }

    var isEmpty: Bool { values.isEmpty }

    /// Reads every UTM custom field of a lead item. A field counts when its id is in
    /// `fieldIDs`, or its name or code is a UTM parameter (case-insensitive). Webhooks use the
    /// v2 shape `custom_fields[i]{id,name,code,values}`; API v4 bodies `custom_fields_values[i]
    /// {field_id,field_name,field_code,values}`. The first non-empty value wins.
    init(lead item: JSONValue, fieldIDs: [Int64: UTMParameter] = [:]) {
        let fields = (item["custom_fields"]?.elements ?? []) + (item["custom_fields_values"]?.elements ?? [])
        for field in fields {
            guard let parameter = Self.parameter(of: field, fieldIDs: fieldIDs), values[parameter] == nil,
                let value = Self.firstValue(field["values"])
            else { continue }
            values[parameter] = value
        }
    }

    init(_ values: [UTMParameter: String] = [:]) { self.values = values }

    private static func parameter(of field: JSONValue, fieldIDs: [Int64: UTMParameter]) -> UTMParameter? {
        if let id = (field["id"] ?? field["field_id"])?.int64, let parameter = fieldIDs[id] { return parameter }
        for key in ["code", "field_code", "name", "field_name"] {
            if let text = field[key]?.text, let parameter = UTMParameter(rawValue: text.lowercased()) { return parameter }
        }
        return nil
    }

    /// The value shapes seen in real bodies: `[{value: x}]`, `[x]` (dates), `{value: x}`
    /// (radiobuttons), or nothing at all.
    private static func firstValue(_ values: JSONValue?) -> String? {
        guard let values else { return nil }
        let candidates: [JSONValue] = values["value"] != nil ? [values] : values.elements ?? [values]
        for candidate in candidates {
            let text = (candidate["value"] ?? candidate).text.map { String($0.trimmingSpaces) }
            if let text, !text.isEmpty { return text }
        }
        return nil
    }
}
