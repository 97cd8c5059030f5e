import Foundation
import FunctionKit
import HTTPTypes
import Kommo
import LeadwireStore

/// A fresh SQLite file and the kommo-webhook handler, called in-process as a host would.
struct KommoFixture {
    let databasePath: String
    var environment: [String: String]

    init(token: String? = nil) {
        let folder = FileManager.default.temporaryDirectory.appending(path: "kommo-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        databasePath = folder.appending(path: "leadwire.sqlite3").path
        environment = ["LEADWIRE_DATABASE": databasePath]
        environment["LEADWIRE_KOMMO_WEBHOOK_TOKEN"] = token
    }

    /// Posts a body and returns the response, errors included, as the caller would see it.
    @discardableResult
    func post(
        _ body: String, contentType: String? = "application/x-www-form-urlencoded", query: String = "",
        headers extra: [(String, String)] = [], bodyLimitExceeded: BodyLimitExceeded? = nil, method: HTTPRequest.Method = .post
    ) -> Response {
        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        for (name, value) in extra { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let request = Request(
            method: method, path: "/kommo-webhook", query: QueryParameters(queryString: query), headers: headers,
            body: bodyLimitExceeded == nil ? Array(body.utf8) : [], bodyLimitExceeded: bodyLimitExceeded,
            remoteAddress: "127.0.0.1")
        let context = FunctionContext(
            functionName: KommoWebhook.name, environment: Environment(environment), logger: Logger(function: "test", sink: { _ in }))
        do {
            return try KommoWebhook.handle(request, context: context)
        } catch let error as HTTPError {
            return error.response
        } catch {
            fatalError("handler threw a non-HTTP error: \(error)")
        }
    }

    func database() throws -> Database { try Database(path: databasePath) }

    /// One lead's columns by name.
    func lead(_ kommoID: Int64, account: Int64 = 0) throws -> [String: SQLValue]? {
        let columns = ["name", "status_id", "pipeline_id", "responsible_user_id", "price", "event_type", "is_deleted", "raw_data", "crm_updated_at", "account_subdomain"]
        guard
            let row = try database().queryRow(
                "SELECT \(columns.joined(separator: ", ")) FROM kommo_leads WHERE kommo_id = ? AND account_id = ?",
                [.integer(kommoID), .integer(account)])
        else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(columns, row.values))
    }

    func count(_ sql: String) throws -> Int64 {
        try database().queryRow(sql)?[0].integer ?? -1
    }

    func lastLog() throws -> [String: SQLValue] {
        let columns = ["event_type", "payload", "results", "status", "error_message", "raw_body", "content_type", "account_id"]
        let row = try database().queryRow("SELECT \(columns.joined(separator: ", ")) FROM kommo_webhook_logs ORDER BY created_at DESC, rowid DESC LIMIT 1")!
        return Dictionary(uniqueKeysWithValues: zip(columns, row.values))
    }
}

extension Response {
    var json: JSONValue { try! JSONValue(parsing: body) }
}

/// A Kommo form body for one lead event, brackets percent-encoded as Kommo sends them.
func kommoForm(_ action: String, _ fields: KeyValuePairs<String, String>, index: Int = 0, account: (id: Int, subdomain: String)? = (29085730, "acme")) -> String {
    var pairs = fields.map { ("leads[\(action)][\(index)][\($0.key)]", $0.value) }
    if let account { pairs += [("account[id]", String(account.id)), ("account[subdomain]", account.subdomain)] }
    return pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
}

private func encode(_ text: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return text.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+")
}
