import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

/// Seed 004's `GET /api/admin/users`: the export's people and filters, a page at a time.
@Suite struct UsersAPITests {
    let admin = try! AdminFixture()

    init() throws {
        for index in 1...7 {
            admin.knowlarity.send(#"{"uuid":"u\#(index)","customer_number":"+91900000000\#(index)"}"#, contentType: "application/json")
        }
        try admin.logs.database().run(#"UPDATE leads_master SET raw_payload = '{"tags":[{"name":"vip"}]}', export_consent_given = TRUE WHERE id IN (2, 5)"#)
    }

    func users(_ query: String, key: String? = nil) -> Response {
        admin.export.send("", contentType: nil, method: .get, path: "/api/admin/users", query: query, headers: admin.bearer(key ?? admin.exporter))
    }

    func ids(_ response: Response) -> [Int64] { response.json["users"]?.elements?.compactMap { $0["id"]?.int64 } ?? [] }

    @Test func pagesByOffsetWithTotalsAndHasMore() {
        let first = users("limit=3")
        #expect(first.status == .ok)
        #expect(first.headers[.cacheControl] == "no-store")
        #expect(ids(first) == [1, 2, 3])
        #expect(first.json["pagination"] == ["total": 7, "limit": 3, "offset": 0, "hasMore": true, "nextCursor": "3", "next": "?limit=3&cursor=3"])
        let last = users("limit=3&offset=6")
        #expect(ids(last) == [7])
        #expect(last.json["pagination"]?["hasMore"] == false)
        #expect(last.json["pagination"]?["nextCursor"] == .null)
    }

    @Test func cursorPagesNeitherSkipNorRepeat() {
        var seen: [Int64] = []
        var cursor: String?
        repeat {
            let page = users("limit=2" + (cursor.map { "&cursor=" + $0 } ?? ""))
            seen += ids(page)
            cursor = page.json["pagination"]?["nextCursor"]?.text
        } while cursor != nil
        #expect(seen == Array(1...7))
    }

    /// `next` is the next page of the same listing, filters and order kept: by cursor in the
    /// default order, by offset in any other.
    @Test(arguments: [("hasTag=vip&limit=1", [Int64(2), 5]), ("sortBy=id&sortOrder=DESC&limit=3", [7, 6, 5, 4, 3, 2, 1])])
    func followingNextListsTheSameUsersOnce(query: String, expected: [Int64]) {
        var page = users(query)
        var seen = ids(page)
        while let next = page.json["pagination"]?["next"]?.text {
            page = users(String(next.dropFirst()))
            #expect(page.status == .ok, "\(next)")
            seen += ids(page)
        }
        #expect(seen == expected)
    }

    @Test func theExportsFiltersAndSortsApply() {
        let vip = users("hasTag=vip&exportConsentOnly=true")
        #expect(ids(vip) == [2, 5])
        #expect(vip.json["pagination"]?["total"] == 2)
        #expect(ids(users("sortBy=id&sortOrder=desc&limit=2")) == [7, 6])
        #expect(ids(users("search=9000000004")) == [4])
        #expect(users("fields=id,phone_number_normalized&limit=1").json["users"]?[0]?.object?.keys == ["id", "phone_number_normalized"])
    }

    @Test(arguments: ["limit=0", "limit=1001", "offset=-1", "cursor=abc", "cursor=2&sortBy=id", "createdAfter=2020-13-45", "nosuch=1"])
    func badParametersAreClear400s(_ query: String) {
        let response = users(query)
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["message"]?.text?.isEmpty == false)
    }

    @Test func aKeyWithoutTheExportScopeIsRefused() {
        #expect(users("", key: admin.reader).status == .forbidden)
        #expect(admin.export.send("", contentType: nil, method: .get, path: "/api/admin/users").status == .unauthorized)
    }
}
