public import FunctionKit
public import LeadwireStore
import HTTPTypes

/// The body as it was received, for the logs: replay and forensics need the exact bytes, even
/// when the body was refused, is not UTF-8, or ended early.
extension Request {
    /// For a `raw_body` column, NULL when the body was over the limit and never read. SQLite:
    /// text when the bytes are UTF-8 (the same bytes, readable by SQL as text), a BLOB of them
    /// when not. PostgreSQL: always `bytea`, since its text cannot hold every byte (not NUL, not
    /// bytes that are not UTF-8).
    public func rawBodyColumn(in dialect: SQLDialect) -> SQLValue {
        if bodyLimitExceeded != nil { return .null }
        if dialect == .sqlite, let text = String(validating: body, as: UTF8.self) { return .text(text) }
        return .blob(body)
    }

    /// For a JSON log field: `raw_body` (UTF-8) or `raw_body_base64` (anything else), the
    /// content type, and `declared_length` when the body is not all there (over the limit, or
    /// ended early).
    public var rawBodyJSON: JSONObject {
        var kept = JSONObject()
        kept["content_type"] = JSONValue(headers[.contentType])
        if let exceeded = bodyLimitExceeded {
            kept["declared_length"] = JSONValue(Int64(exceeded.length))
            return kept
        }
        if let text = String(validating: body, as: UTF8.self) {
            kept["raw_body"] = .string(text)
        } else {
            kept["raw_body_base64"] = .string(Base64.encode(body))
        }
        if let truncated = truncatedBody { kept["declared_length"] = JSONValue(Int64(truncated.declared)) }
        return kept
    }
}
