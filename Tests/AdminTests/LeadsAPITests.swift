import Admin
import Export
import FunctionKit
import HTTPTypes
import Kommo
import Leads
import LeadwireStore
import TestSupport
import Testing

/// `GET /api/leads`: the Kommo guide's frontend queries (active leads, newest update first; one
/// lead by its Kommo id) with a key that can read leads and do nothing else, and CORS for the
/// origins listed.
@Suite struct LeadsAPITests {
    let leads = HandlerFixture(
        path: "/api/leads", settings: TestSettings.openIntake.merging(["LEADWIRE_CORS_ORIGINS": "https://app.example.com, http://localhost:5173"]) { $1 },
        handler: LeadsAPI.handle)
    var kommo: HandlerFixture { leads.sharing(path: "/kommo-webhook", handler: KommoWebhook.handle) }

    /// Five leads in pipeline 7 or 8, the third deleted, each updated a minute after the one before.
    func fill() throws -> String {
        for (id, name, pipeline) in [(501, "Alpha", 7), (502, "Bravo Acme", 7), (503, "Charlie", 8), (504, "Delta acme", 8), (505, "Echo", 7)] {
            kommo.send(kommoLead(id, name: name, extra: [("pipeline_id", String(pipeline)), ("status_id", "142")]))
        }
        kommo.send(formBody([("leads[delete][0][id]", "503")]))
        let database = try leads.database()
        for id in 501...505 {
            try database.run("UPDATE kommo_leads SET updated_at = ? WHERE kommo_id = ?", [.text("2026-11-0\(id - 500)T10:00:00.000Z"), .integer(Int64(id))])
        }
        return try ApiKeys(database: database).create(name: "frontend", scopes: [.leadsRead])
    }

    func get(_ query: String = "", path: String = "/api/leads", key: String, headers: [(String, String)] = []) -> Response {
        leads.send("", contentType: nil, method: .get, path: path, query: query, headers: [("Authorization", "Bearer " + key)] + headers)
    }

    func kommoIDs(_ response: Response) -> [Int64] {
        response.json["leads"]?.elements?.compactMap { $0["kommo_id"]?.int64 } ?? []
    }

    @Test func activeLeadsComeNewestUpdateFirstWithTheirColumns() throws {
        let key = try fill()
        let response = get("is_deleted=false", key: key)
        #expect(response.status == .ok)
        #expect(kommoIDs(response) == [505, 504, 502, 501])
        let first = response.json["leads"]?[0]
        #expect(first?["name"] == "Echo")
        #expect(first?["is_deleted"] == false)
        #expect(first?["pipeline_id"] == 7)
        #expect(first?["raw_data"]?["name"] == "Echo", "raw_data is the lead's JSON, not a string")
        #expect(response.json["pagination"]?["total"] == 4)
        #expect(kommoIDs(get("is_deleted=true", key: key)) == [503])
    }

    @Test func filtersNarrowTheListing() throws {
        let key = try fill()
        #expect(kommoIDs(get("kommo_id=502", key: key)) == [502])
        #expect(kommoIDs(get("pipeline_id=8", key: key)) == [504, 503])
        #expect(kommoIDs(get("status_id=142&pipeline_id=7", key: key)) == [505, 502, 501])
        #expect(kommoIDs(get("q=ACME", key: key)) == [504, 502])
        #expect(kommoIDs(get("updated_since=2026-11-02&updated_before=2026-11-04", key: key)) == [503, 502])
        #expect(kommoIDs(get("account_id=0", key: key)).count == 5)
        #expect(kommoIDs(get("account_id=1", key: key)).isEmpty)
    }

    @Test func pagesNeitherSkipNorRepeatAndKeepTheFilters() throws {
        let key = try fill()
        var seen: [Int64] = []
        var query = "limit=2&pipeline_id=7"
        var pages = 0
        while pages < 10 {
            let page = get(query, key: key)
            #expect(page.json["pagination"]?["total"] == 3)
            seen += kommoIDs(page)
            pages += 1
            guard let next = page.json["pagination"]?["next"]?.text else { break }
            #expect(next.contains("pipeline_id=7") && next.contains("limit=2"))
            query = String(next.dropFirst())
        }
        #expect(seen == [505, 502, 501])
        #expect(pages == 2)
    }

    @Test func oneLeadByItsKommoID() throws {
        let key = try fill()
        let one = get(path: "/api/leads/502", key: key)
        #expect(one.status == .ok)
        #expect(one.json["lead"]?["name"] == "Bravo Acme")
        #expect(get(path: "/api/leads/999", key: key).status == .notFound)
        #expect(get(path: "/api/leads/abc", key: key).status == .badRequest)
        // The same Kommo id in a second account: the caller must say which.
        try leads.database().run(
            "INSERT INTO kommo_leads (id, kommo_id, account_id, name, event_type) VALUES (?, 502, 77, 'Other account', 'created')",
            [.text(Identifiers.uuid())])
        let ambiguous = get(path: "/api/leads/502", key: key)
        #expect(ambiguous.status == .conflict)
        #expect(ambiguous.json["error"]?["code"] == "account_ambiguous")
        #expect(get("account_id=77", path: "/api/leads/502", key: key).json["lead"]?["name"] == "Other account")
    }

    @Test(arguments: [
        "is_deleted=maybe", "kommo_id=12x", "pipeline_id=99999999999999999999", "limit=0", "limit=1001", "updated_since=yesterday",
        "cursor=nonsense", "cursor=2026-01-01_zz", "isDeleted=false", "q=" + String(repeating: "a", count: 201),
    ])
    func badFiltersAreClear400s(_ query: String) throws {
        let key = try fill()
        let response = get(query, key: key)
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["message"]?.text?.isEmpty == false)
    }

    /// A frontend's key reads leads and nothing else; no other key reads leads.
    @Test func aLeadsKeyReadsLeadsOnly() throws {
        let key = try fill()
        let database = try leads.database()
        let logs = try ApiKeys(database: database).create(name: "logs", scopes: [.logsRead, .export, .webhooksManage])
        #expect(get(key: logs).status == .forbidden)
        #expect(get(key: "lw_nope").status == .unauthorized)
        #expect(leads.send("", contentType: nil, method: .get).status == .unauthorized)
        #expect(leads.send("{}", contentType: "application/json", method: .post, headers: [("Authorization", "Bearer " + key)]).status == .methodNotAllowed)
        let export = leads.sharing(path: "/api/admin/export/kommo-leads/json", handler: ExportAPI.handle)
        #expect(export.send("", contentType: nil, method: .get, headers: [("Authorization", "Bearer " + key)]).status == .forbidden)
    }

    @Test func aListedOriginMayReadTheAnswerAndAnyOtherMayNot() throws {
        let key = try fill()
        let allowed = get(key: key, headers: [("Origin", "https://app.example.com")])
        #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.example.com")
        #expect(allowed.headers[.vary] == "Origin")
        #expect(allowed.headers[.accessControlAllowCredentials] == nil)
        // An error is readable too, so the page can show why.
        let refused = get(key: "lw_nope", headers: [("Origin", "http://localhost:5173")])
        #expect(refused.status == .unauthorized)
        #expect(refused.headers[.accessControlAllowOrigin] == "http://localhost:5173")

        let other = get(key: key, headers: [("Origin", "https://evil.example.net")])
        #expect(other.status == .ok, "the server answers; the browser keeps the answer from the page")
        #expect(other.headers[.accessControlAllowOrigin] == nil)
        #expect(other.headers[.vary] == "Origin")
    }

    @Test func preflightsAreAnsweredForListedOriginsOnly() throws {
        _ = try fill()
        let preflight: (String) -> Response = { origin in
            leads.send(
                "", contentType: nil, method: .options,
                headers: [("Origin", origin), ("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "authorization")])
        }
        let allowed = preflight("https://APP.example.com:443")
        #expect(allowed.status == .noContent)
        #expect(allowed.headers[.accessControlAllowOrigin] == "https://APP.example.com:443")
        #expect(allowed.headers[.accessControlAllowHeaders]?.contains("Authorization") == true)
        #expect(allowed.headers[.accessControlAllowMethods]?.contains("GET") == true)
        let other = preflight("https://evil.example.net")
        #expect(other.status == .forbidden)
        #expect(other.headers[.accessControlAllowOrigin] == nil)
        #expect(other.json["error"]?["code"] == "origin_not_allowed")
    }

    @Test(arguments: ["*", "app.example.com", "https://app.example.com/path", "ftp://x", "https://"])
    func aListThatIsNotOriginsIsAConfigurationError(_ setting: String) throws {
        var fixture = leads
        fixture.environment["LEADWIRE_CORS_ORIGINS"] = setting
        let response = fixture.send("", contentType: nil, method: .get, headers: [("Origin", "https://app.example.com")])
        #expect(response.status == .internalServerError)
        #expect(response.json["error"]?["code"] == "misconfigured")
    }
}
