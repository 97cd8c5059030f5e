import FunctionKit
import Testing

@Suite struct TimeZoneRuleTests {
    @Test func readsOffsetsFromTheSystemZoneFiles() throws {
        let kolkata = try TimeZoneRule("Asia/Kolkata")
        #expect(kolkata.offset(at: 1_764_999_681) == 19_800)
        let berlin = try TimeZoneRule("Europe/Berlin")
        #expect(berlin.offset(at: 1_751_328_000) == 7200)  // 2025-07-01: summer time
        #expect(berlin.offset(at: 1_735_689_600) == 3600)  // 2025-01-01: winter time
    }

    @Test func theLocalDayTurnsAtLocalMidnight() throws {
        let kolkata = try TimeZoneRule("Asia/Kolkata")
        // 2025-12-06 18:29:59 UTC is 23:59:59 in India; a second later it is the 7th there, still the 6th in UTC.
        #expect(kolkata.localDate(at: 1_765_045_799) == "2025-12-06")
        #expect(kolkata.localDate(at: 1_765_045_800) == "2025-12-07")
        #expect(TimeZoneRule.utc.localDate(at: 1_765_045_800) == "2025-12-06")
    }

    @Test func acceptsFixedOffsets() throws {
        #expect(try TimeZoneRule("+05:30").offset(at: 0) == 19_800)
        #expect(try TimeZoneRule("-0300").offset(at: 0) == -10_800)
        #expect(try TimeZoneRule("UTC").offset(at: 0) == 0)
    }

    @Test(arguments: ["Mars/Olympus", "../../etc/passwd", "/etc/passwd", "+25:00", ""])
    func rejectsWhatIsNotAZone(_ identifier: String) {
        #expect(throws: ConfigurationError.self) { try TimeZoneRule(identifier) }
    }
}
