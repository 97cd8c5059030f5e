import FunctionKit
import LeadwireStore

/// A log row as the API shows it. Stored JSON is shown as JSON; anything else as text.
enum LogEntry {
    static let listColumns = [
        "seq", "id", "source", "received_at", "event_type", "status", "routing_decision", "pipeline_id", "lead_id", "utm_source",
        "utm_campaign", "error_message", "payload",
    ]

    static func json(_ row: Row, columns: [String] = listColumns) -> JSONValue {
        var object = JSONObject()
        for (name, value) in zip(columns, row.values) {
            switch value {
            case .null: object[name] = .null
            case .integer(let number): object[name] = JSONValue(number)
            case .real(let number): object[name] = .number(String(number))
            case .text(let text) where ["payload", "results"].contains(name):
                object[name] = (try? JSONValue(parsing: text)) ?? .string(text)
            case .text(let text): object[name] = .string(text)
            case .blob(let bytes): object[name] = .string(String(decoding: bytes, as: UTF8.self))
            }
        }
        return .object(object)
    }
}
