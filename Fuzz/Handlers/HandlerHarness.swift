import Admin
import FunctionKit
import FunctionStore
import SystemCrypto
import HTTPTypes
import LeadwireStore

#if canImport(Glibc)
import Glibc
#endif

/// One function's real handler on a temporary SQLite store, driven by fuzz inputs. The property
/// checked for every input: an answer comes back (a trap fails the run), and a webhook answered
/// 2xx has logged the request with its body (durable first).
final class HandlerHarness: @unchecked Sendable {
    let function: FuzzedFunction
    let context: FunctionContext
    let database: Database
    let adminKey: String

    /// The Salesbot widget's integration secret here: inputs whose `token` is a JSON object get
    /// it signed (HS256) with this, so the fuzzer reaches what lies behind a valid token.
    static let widgetSecret = "fuzz-widget-secret"

    /// The folder of the store, under $TMPDIR.
    let folder: String

    init(function: FuzzedFunction) throws {
        self.function = function
        var template = Array(((getenv("TMPDIR").map { String(cString: $0) } ?? "/tmp") + "/leadwire-fuzz.XXXXXX").utf8CString)
        guard let made = mkdtemp(&template) else { throw HarnessFailure("cannot make a temporary folder") }
        folder = String(cString: made)
        let settings: [String: String] = [
            "LEADWIRE_DATABASE": folder + "/fuzz.sqlite3",
            "LEADWIRE_SQLITE_SYNCHRONOUS": "normal",
            // A slow instrumented run must not turn into a 503 that hides the processing.
            "LEADWIRE_WEBHOOK_DEADLINE_MS": "60000",
            "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none",
            "LEADWIRE_AMOCRM_WEBHOOK_AUTH": "none",
            "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH": "none",
            "LEADWIRE_KOMMO_CLIENT_ID": "fuzz-client",
            "LEADWIRE_KOMMO_CLIENT_SECRET": Self.widgetSecret,
            "LEADWIRE_KOMMO_REDIRECT_URI": "https://leadwire.example/kommo-oauth?action=callback",
            // Nothing listens on the discard port: a call out fails at once instead of waiting.
            "LEADWIRE_KOMMO_API_ORIGIN": "http://127.0.0.1:9",
            "LEADWIRE_KOMMO_API_TIMEOUT_MS": "200",
            "LEADWIRE_SECRET_KEY": String(repeating: "ab", count: 32),
            "LEADWIRE_FUNCTIONS_DIR": "/nonexistent/leadwire-fuzz",
            "LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*;Arman=arman_*,*_arman",
        ]
        context = FunctionContext(functionName: function.name, environment: Environment(settings), logger: Logger(function: function.name, sink: { _ in }))
        database = try context.openStore()
        adminKey = try ApiKeys(database: database).create(name: "fuzz", scopes: Set(Scope.allCases))
    }

    /// Deletes the store and its folder.
    func removeStore() {
        for file in ["fuzz.sqlite3", "fuzz.sqlite3-wal", "fuzz.sqlite3-shm"] { unlink(folder + "/" + file) }
        rmdir(folder)
    }

    /// Runs one input; returns a description of the broken property, or nil.
    func run(_ input: [UInt8]) -> String? {
        var request = FuzzedRequest.make(from: input, for: function, adminKey: adminKey)
        if function.name == "widget-request" { request.body = Self.signingTokenClaims(in: request.body) }
        let before = lastLogRow()
        var response = FunctionMain.respond(context: context.handling(request: "fuzz"), handler: function.handler) { _ in request }
        if let streaming = response.streamingBody {
            response.streamingBody = nil
            response.body = (try? streaming.collect()) ?? []
        }
        guard (100...599).contains(response.status.code) else { return "status \(response.status.code)" }
        guard let table = function.logTable, function.mustLog(request), response.status.kind == .successful else { return nil }
        guard let after = lastLogRow(), after > (before ?? 0) else {
            return "answered \(response.status.code) but wrote no \(table) row"
        }
        let kept = try? database.queryRow(
            "SELECT count(*) FROM \(table) WHERE rowid > ? AND \(table == "kommo_webhook_logs" ? "raw_body" : "deal_data") IS NULL",
            [.integer(before ?? 0)])
        if let missing = kept?[0].integer, missing > 0 { return "answered \(response.status.code) but a \(table) row lost the body" }
        return nil
    }

    private func lastLogRow() -> Int64? {
        guard let table = function.logTable else { return nil }
        return try? database.queryRow("SELECT coalesce(max(rowid), 0) FROM \(table)")?[0].integer
    }

    /// `{"token": {claims…}, …}` becomes `{"token": "<HS256 JWT of those claims>", …}`.
    static func signingTokenClaims(in body: [UInt8]) -> [UInt8] {
        guard let parsed = try? JSONValue(parsing: String(decoding: body, as: UTF8.self)), var object = parsed.object,
            let claims = object["token"], claims.object != nil
        else { return body }
        let signingInput = Base64.encodeURL(Array(#"{"alg":"HS256","typ":"JWT"}"#.utf8)) + "." + Base64.encodeURL(Array(claims.jsonText.utf8))
        let signature = HMACSHA256.code(for: Array(signingInput.utf8), key: Array(widgetSecret.utf8))
        object["token"] = .string(signingInput + "." + Base64.encodeURL(signature))
        return Array(JSONValue.object(object).jsonText.utf8)
    }
}

struct HarnessFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
