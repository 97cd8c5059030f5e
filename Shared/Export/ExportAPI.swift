import Admin
import SystemCrypto
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore
import People

/// export: `GET /api/admin/export/<dataset>/<csv|json|ndjson>`, streamed in constant memory,
/// every export audited in `data_exports` (who, what, which filters, rows, bytes, and the
/// SHA-256 of exactly the bytes sent); and `GET /api/admin/users`, the same people a page at a
/// time (see `UsersAPI`).
public enum ExportAPI {
    public static let name = "export"
    static let root = "/api/admin/export"
    static let chunkSize = 64 * 1024

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try AdminHeaders.around(request, context) {
            if PeopleAPI.handles(request.path) { return try PeopleAPI.handle(request, context: context) }
            return request.path.hasPrefix(UsersAPI.path) ? try UsersAPI.list(request, context: context) : try export(request, context: context)
        }
    }

    static func export(_ request: Request, context: FunctionContext) throws -> Response {
        try request.require(method: .get)
        let parts = request.path.dropFirst(root.count).split(separator: "/").map(String.init)
        guard request.path.hasPrefix(root), parts.count == 2 else {
            throw HTTPError.notFound("Export URLs are \(root)/<dataset>/<csv|json|ndjson>.")
        }
        let database = try context.openStore()
        let key = try request.requireAdminKey(.export, in: database)
        let query = try ExportQuery(dataset: parts[0], format: parts[1], query: request.query, dialect: database.dialect)

        let auditID: Int64 = try database.transaction {
            try database.queryRow(
                "INSERT INTO data_exports (key_name, dataset, format, filters, fields) VALUES (?, ?, ?, ?, ?) RETURNING id",
                [
                    .text(key.name), .text(query.dataset.name), .text(query.format.rawValue), .text(query.filters.jsonText),
                    .text(query.columns.map(\.name).joined(separator: ",")),
                ])?[0].integer ?? 0
        }

        var headers = HTTPFields()
        headers[.contentType] = contentType(query.format)
        headers[.contentDisposition] = "attachment; filename=\"\(query.dataset.name).\(query.format.rawValue)\""
        headers[.exportID] = String(auditID)
        return Response(
            headers: headers,
            streamingBody: StreamingBody { writer in
                try stream(query, from: database, to: writer, auditID: auditID, keyName: key.name, logger: context.logger)
            })
    }

    /// Streams the rows, hashing and counting what is sent, then completes the audit row. If
    /// sending fails midway, the audit records how far it got and `completed = 0`. A completed
    /// export is also an `export.completed` event, written with its audit row.
    static func stream(
        _ query: ExportQuery, from database: Database, to writer: any BodyWriter, auditID: Int64, keyName: String, logger: Logger
    ) throws {
        let encoder = RowEncoder(format: query.format, columns: query.columns)
        let hasher = SHA256()
        var sent = 0
        var rows = 0
        var buffer: [UInt8] = []
        buffer.reserveCapacity(chunkSize + 4096)
        func send() throws {
            hasher.update(buffer)
            try writer.write(buffer)
            sent += buffer.count
            buffer.removeAll(keepingCapacity: true)
        }
        func audit(completed: Bool) {
            let digest = completed ? Hex.encode(hasher.finalize()) : nil
            do {
                _ = try database.transaction {
                    try database.run(
                        """
                        UPDATE data_exports SET row_count = ?, byte_count = ?, sha256 = ?, completed = ?,
                            finished_at = \(database.dialect.now) WHERE id = ?
                        """, [.integer(Int64(rows)), .integer(Int64(sent)), SQLValue(digest), SQLValue(completed), .integer(auditID)])
                    guard completed else { return }
                    let export = JSONObject([
                        ("id", JSONValue(auditID)), ("dataset", .string(query.dataset.name)), ("format", .string(query.format.rawValue)),
                        ("filters", query.filters), ("rows", JSONValue(Int64(rows))), ("bytes", JSONValue(Int64(sent))),
                        ("sha256", JSONValue(digest)), ("key_name", .string(keyName)),
                    ])
                    try EventFanOut(database: database).emit(
                        OutboundEvent("export.completed", data: JSONObject([("export", .object(export))]), metadata: JSONObject([("source", "export"), ("action", "completed")])))
                }
            } catch {
                logger.error("export_audit_failed", ["export_id": JSONValue(auditID), "message": .string(String(describing: error))])
            }
        }
        do {
            encoder.header(into: &buffer)
            try database.forEachRow(query.sql, query.parameters) { row in
                encoder.row(row, index: rows, into: &buffer)
                rows += 1
                if buffer.count >= chunkSize { try send() }
            }
            encoder.footer(rows: rows, into: &buffer)
            try send()
        } catch {
            audit(completed: false)
            throw error
        }
        audit(completed: true)
    }

    static func contentType(_ format: ExportQuery.Format) -> String {
        switch format {
        case .csv: "text/csv; charset=utf-8"
        case .json: "application/json"
        case .ndjson: "application/x-ndjson"
        }
    }
}

extension HTTPField.Name {
    static let exportID = HTTPField.Name("X-Export-Id")!
}
