public import FunctionKit
public import LeadwireStore

/// Erases a person, in one transaction: their lead, consents, source history and calls are
/// deleted, as are Kommo leads and queued or sent outbound messages that hold their phone or
/// email; amoCRM sales keep their amounts without the name; log bodies and export filters that
/// hold them are replaced by `{"redacted":"erased"}`. An `erasures` row says who erased which
/// person and how many rows of each table, and a `user.deleted` event (the id alone) goes out.
/// Deleted bytes stay in the database file's free pages until `VACUUM` (SQLite) or
/// `VACUUM FULL` (PostgreSQL), and in backups until they rotate.
public enum Erasure {
    public struct Result: Sendable {
        public let id: Int64
        public let counts: JSONObject
    }

    public static func erase(_ person: Person, emails: [String], reason: String?, erasedBy: String, in database: Database) throws -> Result {
        let footprint = Footprint(leadID: person.id, phone: person.phone, emails: emails, dialect: database.dialect)
        var counts = JSONObject()
        for table in footprint.tables {
            let (condition, parameters) = footprint.condition(table)
            let changed: Int
            switch table.erasure {
            case .delete:
                changed = try database.run("DELETE FROM \(table.name) WHERE \(condition)", parameters)
            case .replace(let columns):
                changed = try database.run(
                    "UPDATE \(table.name) SET \(columns.map { "\($0.column) = \($0.with)" }.joined(separator: ", ")) WHERE \(condition)", parameters)
            }
            if changed > 0 { counts[table.name] = JSONValue(Int64(changed)) }
        }
        let id =
            try database.queryRow(
                "INSERT INTO erasures (lead_id, erased_by, reason, counts) VALUES (?, ?, ?, ?) RETURNING id",
                [.integer(person.id), .text(erasedBy), SQLValue(reason), .text(JSONValue.object(counts).jsonText)])?[0].integer ?? 0
        try EventFanOut(database: database).emit(
            OutboundEvent(
                "user.deleted", data: JSONObject([("user", .object(JSONObject([("id", JSONValue(person.id))]))), ("erasureId", JSONValue(id))]),
                metadata: JSONObject([("source", "admin"), ("action", "deleted")])))
        return Result(id: id, counts: counts)
    }
}
