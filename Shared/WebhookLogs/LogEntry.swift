import FunctionKit
import LeadwireStore

/// A log row as the API shows it. Stored JSON is shown as JSON, text as text, and bytes that are
/// not text as Base64.
enum LogEntry {
    static let listColumns = [
        "seq", "id", "source", "received_at", "event_type", "status", "routing_decision", "pipeline_id", "lead_id", "utm_source",
        "utm_campaign", "error_message", "payload", "outcome", "processed_at", "processing_ms",
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
            // A raw body kept as bytes: as text when it is UTF-8 (PostgreSQL keeps every body as
            // bytes), else as Base64 beside the column.
            case .blob(let bytes):
                if let text = String(validating: bytes, as: UTF8.self) {
                    object[name] = .string(text)
                    continue
                }
                object[name] = .null
                object[name + "_base64"] = .string(Base64.encode(bytes))
            }
        }
        return .object(object)
    }
}
