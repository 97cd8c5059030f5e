@testable import AmoCRM
import FunctionKit
import Testing

@Suite struct UTMExtractionTests {
    func lead(_ fields: JSONValue) -> JSONValue { ["id": "1", "custom_fields": fields] }

    @Test func readsEveryValueShapeCRMsSend() {
        let item = lead([
            ["id": "1", "name": "utm_source", "values": [["value": "ref_ABC"]]],  // values[0][value]
            ["id": "2", "code": "UTM_MEDIUM", "values": ["cpc"]],  // values[0], no [value]
            ["id": "3", "name": "UTM_Campaign", "values": ["value": "spring", "enum": "7"]],  // object-shaped values
            ["id": "4", "name": "utm_content"],  // listed, no values
            ["id": "5", "name": "utm_term", "values": [["value": ""], ["value": "shoes"]]],  // first non-empty wins
        ])
        let utm = UTMValues(lead: item)
        #expect(utm[.source] == "ref_ABC")
        #expect(utm[.medium] == "cpc")
        #expect(utm[.campaign] == "spring")
        #expect(utm[.content] == nil)
        #expect(utm[.term] == "shoes")
    }

    @Test func configuredFieldIdsWinForRenamedFields() {
        let item = lead([["id": "900", "name": "Источник", "values": [["value": "kenesary_fb"]]]])
        #expect(UTMValues(lead: item)[.source] == nil)
        #expect(UTMValues(lead: item, fieldIDs: [900: .source])[.source] == "kenesary_fb")
    }

    @Test func readsAPIv4CustomFieldValuesToo() {
        let item: JSONValue = ["id": 1, "custom_fields_values": [["field_id": 5, "field_code": "UTM_SOURCE", "values": [["value": "ref_Z"]]]]]
        #expect(UTMValues(lead: item)[.source] == "ref_Z")
    }

    @Test func aLeadWithoutCustomFieldsHasNoUTM() {
        #expect(UTMValues(lead: ["id": "1"]).isEmpty)
    }
}

@Suite struct RoutingRulesTests {
    let rules = try! RoutingRules(targetologists: "Kenesary=kenesary*,kenes_?;Arman=*_arman")

    typealias Case = (utm: [UTMParameter: String], decision: RoutingDecision, code: String?, targetologist: String?)

    @Test(arguments: [
        ([.source: "ref_TEST123"], .referral, "TEST123", nil) as Case,
        ([.source: "REF_abc"], .referral, "abc", nil),
        ([.source: "kenesary_fb"], .traffic, nil, "Kenesary"),
        ([.source: "google", .campaign: "spring_arman"], .traffic, nil, "Arman"),
        ([.source: "ref_P1", .campaign: "Kenesary_tripwire"], .both, "P1", "Kenesary"),
        ([.source: "google_organic"], .unknown, nil, nil),
        ([.source: "ref_"], .unknown, nil, nil),
        ([:], .unknown, nil, nil),
    ] as [Case])
    func routesBySourcePrefixAndTargetologistPatterns(_ example: Case) {
        let routing = rules.route(UTMValues(example.utm))
        #expect(routing == Routing(decision: example.decision, referralCode: example.code, targetologist: example.targetologist))
    }

    @Test func rejectsAMalformedTargetologistList() {
        #expect(throws: ConfigurationError.self) { try RoutingRules(targetologists: "Kenesary") }
        #expect(throws: ConfigurationError.self) { try RoutingRules(targetologists: "=x*") }
    }

    @Test func globMatchesStarsAndQuestionMarks() {
        #expect(glob("kenesary*", matches: "kenesary_fb"))
        #expect(glob("*_arman", matches: "x_arman"))
        #expect(glob("a*b*c", matches: "aXXbYYc"))
        #expect(glob("kenes_?", matches: "kenes_1"))
        #expect(!glob("kenes_?", matches: "kenes_12"))
        #expect(!glob("kenesary*", matches: "ken"))
        #expect(glob("*", matches: ""))
    }
}

@Suite struct AmoCRMSettingsTests {
    @Test func defaultsAreWon142InEveryPipeline() throws {
        let settings = try AmoCRMSettings(Environment())
        #expect(settings.isSale(pipelineID: 1, statusID: 142))
        #expect(!settings.isSale(pipelineID: 1, statusID: 143))
    }

    @Test func pipelinesAndStatusesAreConfigurable() throws {
        let settings = try AmoCRMSettings(
            Environment(["LEADWIRE_AMOCRM_PIPELINE_IDS": "10418746, 5", "LEADWIRE_AMOCRM_WON_STATUS_IDS": "142,77"]))
        #expect(settings.isSale(pipelineID: 10_418_746, statusID: 77))
        #expect(!settings.isSale(pipelineID: 9, statusID: 142))
        #expect(!settings.isSale(pipelineID: nil, statusID: 142))
    }

    @Test func malformedSettingsNameTheVariable() {
        #expect {
            try AmoCRMSettings(Environment(["LEADWIRE_AMOCRM_WON_STATUS_IDS": "won"]))
        } throws: { error in
            String(describing: error).contains("LEADWIRE_AMOCRM_WON_STATUS_IDS")
        }
        #expect(throws: ConfigurationError.self) { try AmoCRMSettings(Environment(["LEADWIRE_AMOCRM_UTM_FIELD_IDS": "utm_x=1"])) }
    }
}
