import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore

/// One person of the users listing (`/api/admin/users/{id}`):
/// - `GET` their record (the original export guide's `user`) and consent history (`export` scope);
/// - `POST …/consents` `{"channel", "granted", "source"}` records consent given or withdrawn
///   (`consent:write`);
/// - `POST …/export` `{"emails": [...]}` everything stored about them, audited in
///   `data_exports` (`export`);
/// - `POST …/erase` `{"emails": [...], "reason"}` erases them (`people:erase`).
/// Emails travel in bodies, never in URLs, which web servers log.
public enum PeopleAPI {
    static let root = "/api/admin/users/"
    static let maxEmails = 20

    /// Whether the path is one person's (`/api/admin/users/{id}…`), not the listing.
    public static func handles(_ path: String) -> Bool { path.hasPrefix(root) }

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        let parts = request.path.dropFirst(root.count).split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard let id = Int64(parts[0]), id > 0, parts.count <= 2 else {
            throw HTTPError.notFound("A person's address is \(root){id} (a whole number from the listing), with /consents, /export or /erase.")
        }
        let database = try context.openStore()
        switch parts.count == 2 ? parts[1] : "" {
        case "":
            try request.require(method: .get)
            _ = try request.requireAdminKey(.export, in: database)
            let person = try load(id, from: database)
            return .json(["success": true, "user": person.user, "consents": .array(try Consents.history(of: id, in: database))])
        case "consents":
            try request.require(method: .post)
            let key = try request.requireAdminKey(.consentWrite, in: database)
            let input = try ConsentInput(try request.decodedBody(accepting: [.json]))
            let (consentID, person) = try database.transaction {
                let person = try load(id, from: database)
                let consentID = try Consents.record(
                    input.granted, channel: input.channel, for: person, source: input.source, recordedBy: key.name, in: database,
                    fanOut: try EventFanOut(database: database))
                return (consentID, try load(id, from: database))
            }
            return .json(["success": true, "consentId": JSONValue(consentID), "user": person.user], status: .created)
        case "export":
            try request.require(method: .post)
            let key = try request.requireAdminKey(.export, in: database)
            let emails = try emailList(try request.decodedBody(accepting: [.json]))
            let person = try load(id, from: database)
            let rows = try person.storedRows(emails: emails, in: database)
            let body: JSONValue = [
                "success": true, "user": person.user, "consents": .array(try Consents.history(of: id, in: database)), "stored": .object(rows),
            ]
            // Audited as every export is; the filters name the person, not their emails.
            try database.run(
                """
                INSERT INTO data_exports (key_name, dataset, format, filters, fields, row_count, byte_count, completed, finished_at)
                VALUES (?, 'person', 'json', ?, NULL, ?, ?, TRUE, \(database.dialect.now))
                """,
                [
                    .text(key.name), .text(#"{"userId":\#(id),"emails":\#(emails.count)}"#),
                    .integer(Int64(rows.members.reduce(0) { $0 + ($1.value.elements?.count ?? 0) })), .integer(Int64(body.jsonText.utf8.count)),
                ])
            return .json(body)
        case "erase":
            try request.require(method: .post)
            let key = try request.requireAdminKey(.peopleErase, in: database)
            let body = try request.decodedBody(accepting: [.json])
            let emails = try emailList(body)
            let reason = body["reason"]?.text
            if let reason, reason.utf8.count > 500 { throw HTTPError.badRequest("`reason` is at most 500 bytes.", code: .invalidRequest) }
            let result = try database.transaction {
                try Erasure.erase(try load(id, from: database), emails: emails, reason: reason, erasedBy: key.name, in: database)
            }
            context.logger.info("person_erased", ["user_id": JSONValue(id), "erasure_id": JSONValue(result.id), "by": .string(key.name)])
            return .json(["success": true, "erasure": ["id": JSONValue(result.id), "userId": JSONValue(id), "counts": .object(result.counts)]])
        default:
            throw HTTPError.notFound("\(root)\(id) has /consents, /export and /erase.")
        }
    }

    static func load(_ id: Int64, from database: Database) throws -> Person {
        guard let person = try Person.load(id, from: database) else { throw HTTPError.notFound("No user \(id).") }
        return person
    }

    /// `emails`: up to 20 addresses, each with an `@`, to find the person's rows by besides
    /// their phone. Absent is none.
    static func emailList(_ body: JSONValue) throws(HTTPError) -> [String] {
        guard let value = body["emails"], value != .null else { return [] }
        guard let items = value.elements, items.count <= maxEmails else {
            throw .badRequest("`emails` must be a list of at most \(maxEmails) addresses.", code: .invalidRequest)
        }
        return try items.map { item throws(HTTPError) in
            guard let email = item.text, email.utf8.count <= 254, email.contains("@"), email.count >= 3 else {
                throw .badRequest("Each of `emails` must be an address such as name@example.com.", code: .invalidRequest)
            }
            return email
        }
    }
}

/// `{"channel": "whatsapp", "granted": true, "source": "signup form"}`.
struct ConsentInput {
    let channel: String
    let granted: Bool
    let source: String

    init(_ body: JSONValue) throws(HTTPError) {
        guard let channel = body["channel"]?.text, Consents.channels.contains(channel) else {
            throw .badRequest("`channel` must be one of \(Consents.channels.joined(separator: ", ")).", code: .invalidRequest)
        }
        guard case .bool(let granted)? = body["granted"] else {
            throw .badRequest("`granted` must be true (consent given) or false (withdrawn).", code: .invalidRequest)
        }
        guard let source = body["source"]?.text, !source.isEmpty, source.utf8.count <= 200 else {
            throw .badRequest("`source` must say where the person gave or withdrew it (a form, a call, an email), in at most 200 bytes.", code: .invalidRequest)
        }
        self.channel = channel
        self.granted = granted
        self.source = source
    }
}
