import Crypto
import FunctionKit
import HTTPTypes
import LeadwireStore
import TestSupport
import Testing

@Suite struct ExportTests {
    let admin = try! AdminFixture(settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])

    init() throws {
        admin.kommo.send(
            kommoLead(
                1, name: "=HYPERLINK(\"http://evil\")",
                extra: [
                    ("status_id", "142"), ("pipeline_id", "7"), ("price", "-500"), ("tags][0][name", "vip"),
                    ("custom_fields][0][name", "utm_source"), ("custom_fields][0][values][0][value", "ref_A"),
                ]))
        admin.kommo.send(kommoLead(2, name: "Comma, \"quoted\"\nnewline", extra: [("status_id", "143"), ("pipeline_id", "8")]))
        admin.kommo.send(kommoLead(3, name: "+plus @at -minus", extra: [("tags][0][name", "cold")]))
        admin.amocrm.send(amoSale(10, utmSource: "ref_R1"))
        admin.amocrm.send(amoSale(11, utmSource: "kenesary_fb"))
        admin.knowlarity.send(#"{"uuid":"k1","customer_number":"+918019858999"}"#, contentType: "application/json")
        admin.knowlarity.send(#"{"uuid":"k2","customer_number":"+919000000001"}"#, contentType: "application/json")
        try admin.logs.database().run("UPDATE leads_master SET export_consent_given = TRUE, created_at = '2025-03-01T00:00:00.000Z' WHERE id = 1")
    }

    func text(_ response: Response) -> String { String(decoding: response.body, as: UTF8.self) }

    @Test func csvFollowsRFC4180AndNeutralisesFormulas() {
        let response = admin.getExport("kommo-leads/csv", "fields=kommo_id,name,price")
        #expect(response.status == .ok)
        #expect(response.headers[.contentType] == "text/csv; charset=utf-8")
        #expect(response.headers[.cacheControl] == "no-store")
        #expect(response.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
        #expect(
            text(response)
                == "kommo_id,name,price\r\n1,\"'=HYPERLINK(\"\"http://evil\"\")\",-500.0\r\n2,\"Comma, \"\"quoted\"\"\nnewline\",\r\n3,'+plus @at -minus,\r\n")
    }

    /// Excel in a `;` locale splits a cell at `;`: the cell is quoted, and a formula after any
    /// separator is neutralised as one at the start is.
    @Test func aFormulaAfterASemicolonOrCommaIsNeutralisedToo() {
        admin.kommo.send(kommoLead(4, name: "Acme;=cmd|' /C calc'!A0,@SUM(1)"))
        let csv = text(admin.getExport("kommo-leads/csv", "fields=kommo_id,name"))
        #expect(csv.contains("\r\n4,\"Acme;'=cmd|' /C calc'!A0,'@SUM(1)\"\r\n"), "\(csv)")
    }

    @Test func jsonKeepsNestedCustomFieldsAndTags() throws {
        let rows = try JSONValue(parsing: admin.getExport("kommo-leads/json", "hasTag=vip").body)
        #expect(rows.elements?.count == 1)
        #expect(rows[0]?["tags"] == ["vip"])
        #expect(rows[0]?["raw_data"]?["custom_fields"]?[0]?["values"]?[0]?["value"] == "ref_A")
        #expect(rows[0]?["is_deleted"] == false)
        #expect(rows[0]?["name"] == "=HYPERLINK(\"http://evil\")")
    }

    @Test func ndjsonIsOneObjectPerLine() throws {
        let lines = text(admin.getExport("webhook-logs/ndjson", "source=amocrm")).split(separator: "\n")
        #expect(lines.count == 2)
        for line in lines { #expect(try JSONValue(parsing: String(line))["source"] == "amocrm") }
    }

    @Test(arguments: [
        ("kommo-leads", "status=142", 1), ("kommo-leads", "pipeline=8", 1), ("kommo-leads", "search=PLUS", 1),
        ("kommo-leads", "customField[utm_source]=ref_A", 1), ("kommo-leads", "customField[utm_source]=ref_B", 0),
        ("kommo-leads", "hasTag=VIP", 1), ("kommo-leads", "createdAfter=2000-01-01", 3), ("kommo-leads", "createdBefore=2000-01-01", 0),
        ("kommo-leads", "updatedAfter=2999-01-01", 0), ("users", "exportConsentOnly=true", 1), ("users", "exportConsentOnly=false", 2),
        ("leads", "createdBefore=2025-06-01", 1), ("leads", "source=Knowlarity", 2), ("sales", "source=traffic", 1),
        ("sales", "search=R1", 1), ("webhook-logs", "status=success&source=knowlarity", 2),
    ])
    func everyFilterNarrowsTheRows(dataset: String, filter: String, rows: Int) throws {
        let response = admin.getExport("\(dataset)/json", filter)
        #expect(response.status == .ok, "\(text(response))")
        #expect(try JSONValue(parsing: response.body).elements?.count == rows)
    }

    @Test func fieldsAndSortingShapeTheOutput() throws {
        let sorted = try JSONValue(parsing: admin.getExport("kommo-leads/json", "fields=kommo_id&sortBy=kommoId&sortOrder=desc").body)
        #expect(sorted == [["kommo_id": 3], ["kommo_id": 2], ["kommo_id": 1]])
    }

    @Test(arguments: [
        ("kommo-leads/csv", "exportConsentOnly=true"), ("sales/csv", "hasTag=x"), ("kommo-leads/csv", "fields=password"),
        ("kommo-leads/csv", "sortBy=nope"), ("kommo-leads/csv", "sortOrder=sideways&sortBy=name"), ("kommo-leads/csv", "bogus=1"),
        ("kommo-leads/csv", "createdAfter=last-week"), ("kommo-leads/csv", "createdAfter=2020-13-45"),
        ("kommo-leads/csv", "createdAfter=2020-01-01'%20OR%20'1'='1"), ("kommo-leads/csv", "sortOrder=desc;%20DROP%20TABLE%20kommo_leads"),
        ("users/csv", "exportConsentOnly=yes"),
    ])
    func filtersThatDoNotApplyAreRefused(path: String, query: String) {
        let response = admin.getExport(path, query)
        #expect(response.status == .badRequest)
        #expect(response.json["error"]?["message"]?.text?.isEmpty == false)
    }

    @Test func seed004sExampleURLsWorkAsWritten() throws {
        try admin.logs.database().run(#"UPDATE leads_master SET raw_payload = '{"tags":[{"name":"vip"}]}' WHERE id = 1"#)
        let vip = admin.getExport("users/csv", "createdAfter=2025-01-01&hasTag=vip&exportConsentOnly=true")
        #expect(vip.status == .ok)
        #expect(String(decoding: vip.body, as: UTF8.self).split(separator: "\r\n").count == 2)
        let limited = admin.getExport("users/csv", "createdAfter=2025-01-01&limit=1")
        #expect(String(decoding: limited.body, as: UTF8.self).split(separator: "\r\n").count == 2)
        let related = admin.getExport("users/json", "createdAfter=2025-01-01&includeBookings=true&includeQRCodes=true")
        #expect(related.status == .badRequest)
        #expect(related.json["error"]?["message"]?.text?.contains("bookings") == true)
    }

    @Test func unknownDatasetsAndFormatsAre404() {
        #expect(admin.getExport("passwords/csv").status == .notFound)
        #expect(admin.getExport("leads/xlsx").status == .notFound)
    }

    @Test func everyExportIsAuditedWithTheHashOfTheBytesSent() throws {
        let response = admin.getExport("users/csv", "exportConsentOnly=true")
        let received = hexDigest(response.body)
        let audit = try admin.logs.rows(
            "SELECT key_name, dataset, format, filters, row_count, byte_count, sha256, completed FROM data_exports WHERE id = ?",
            [.integer(Int64(response.headers[HTTPField.Name("X-Export-Id")!] ?? "") ?? -1)])
        #expect(audit.count == 1)
        #expect(audit[0]["key_name"] == "exporter")
        #expect(audit[0]["dataset"] == "leads")
        #expect(audit[0]["format"] == "csv")
        #expect(try JSONValue(parsing: audit[0]["filters"]?.text ?? "") == JSONValue(parsing: #"{"exportConsentOnly":"true"}"#))
        #expect(audit[0]["row_count"] == 1)
        #expect(audit[0]["byte_count"] == .integer(Int64(response.body.count)))
        #expect(audit[0]["sha256"] == .text(received))
        #expect(audit[0]["completed"] == 1)
    }

    func hexDigest(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }.joined()
    }
}
