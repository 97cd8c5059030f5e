import FunctionKit
import Testing

@Suite struct ISO8601TimeTests {
    @Test(arguments: [
        ("2025-12-06", "2025-12-06T00:00:00.000000Z"),
        ("2025-12-06T10:00", "2025-12-06T10:00:00.000000Z"),
        ("2025-12-06 10:00:00Z", "2025-12-06T10:00:00.000000Z"),
        ("2025-12-06T10:00:00.5Z", "2025-12-06T10:00:00.500000Z"),
        ("2016-09-27 09:19:34.391601+05:30", "2016-09-27T03:49:34.391601Z"),
        ("2016-09-27T09:19:34.3916019+0530", "2016-09-27T03:49:34.391601Z"),
        ("2025-01-01T01:00:00-02", "2025-01-01T03:00:00.000000Z"),
        ("2024-02-29T23:59:59Z", "2024-02-29T23:59:59.000000Z"),
        // Before 1970 (found by the fuzzer: the milliseconds came out negative).
        ("1008-09-27 09:19:34.391601+05:30", "1008-09-27T03:49:34.391601Z"),
        ("0016-04-27 09:19:34.391601+05", "0016-04-27T04:19:34.391601Z"),
    ])
    func readsDatesTimesFractionsAndOffsets(text: String, expected: String) throws {
        let microseconds = try #require(ISO8601Time.microseconds(text))
        #expect(ISO8601Time.text(microseconds: microseconds) == expected)
    }

    @Test(arguments: [
        "", "yesterday", "2020-13-45", "2023-02-29", "2020-04-31", "2020-01-01T24:00:00Z", "2020-01-01T10:60Z", "2020-01-01T10:00:61Z",
        "2020-01-01' OR '1'='1", "2020-01-01T10:00:00Zjunk", "2020-01-01T10:00:00.Z", "2020-01-01T10:00:00.1234567890Z",
        "2020-01-01T10:00:00+25:00", "20200101", "2020-1-01",
    ])
    func refusesWhatIsNotAPossibleTime(text: String) {
        #expect(ISO8601Time.microseconds(text) == nil)
    }

    @Test func aTimeWithoutOffsetIsReadInTheGivenZone() throws {
        let kolkata = try TimeZoneRule("+05:30")
        let microseconds = try #require(ISO8601Time.microseconds("2025-12-06 11:11:21", zone: kolkata))
        #expect(ISO8601Time.text(microseconds: microseconds) == "2025-12-06T05:41:21.000000Z")
    }

    @Test func queryParametersBecomeStoredTimeTextRoundedUpToTheMillisecond() throws {
        #expect(try QueryParameters.instant("2025-01-01T15:30:00.5+05:30", parameter: "since") == "2025-01-01T10:00:00.500Z")
        #expect(try QueryParameters.instant("2025-01-01T10:00:00.5001Z", parameter: "since") == "2025-01-01T10:00:00.501Z")
        #expect(try QueryParameters.instant("2025-01-01T10:00:00", parameter: "since") == "2025-01-01T10:00:00.000Z", "no offset: UTC")
        #expect {
            try QueryParameters.instant("2025-02-30", parameter: "since")
        } throws: { error in
            (error as? HTTPError)?.message.contains("since") == true
        }
    }
}
