/// ISO 8601 dates and times as instants, to the microsecond: what filters and CRM payloads send.
/// Accepted: `2025-12-06` (midnight), `2025-12-06T10:00`, `2025-12-06 10:00:00`, a fraction of
/// up to 9 digits (`.391601`; beyond microseconds it is cut), and `Z`, `+05:30`, `+0530` or
/// `+05`; without an offset the time is read in `zone` (UTC when none is given). Impossible
/// dates and times (`2020-13-45`, `24:00`, trailing text) are not times. Linear in the text.
public enum ISO8601Time {
    public static func microseconds(_ text: some StringProtocol, zone: TimeZoneRule? = nil) -> Int64? {
        let characters = Array(text.utf8)
        guard characters.count <= 64 else { return nil }
        var index = 0
        func number(_ width: Int) -> Int64? {
            guard index + width <= characters.count else { return nil }
            var value: Int64 = 0
            for character in characters[index..<index + width] {
                guard character >= UInt8(ascii: "0"), character <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int64(character - UInt8(ascii: "0"))
            }
            index += width
            return value
        }
        func skip(_ character: Character) -> Bool {
            guard index < characters.count, characters[index] == character.asciiValue else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip("-"), let month = number(2), skip("-"), let day = number(2),
            (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        var fraction: Int64 = 0
        if index < characters.count {
            guard skip("T") || skip(" "), let hour = number(2), skip(":"), let minute = number(2), hour < 24, minute < 60 else { return nil }
            var second: Int64 = 0
            if skip(":") {
                guard let value = number(2), value < 60 else { return nil }
                second = value
                if skip(".") || skip(",") {
                    let start = index
                    while index < characters.count, characters[index] >= UInt8(ascii: "0"), characters[index] <= UInt8(ascii: "9") { index += 1 }
                    let digits = characters[start..<index]
                    guard (1...9).contains(digits.count) else { return nil }
                    let padded = Array(digits.prefix(6)) + Array(repeating: UInt8(ascii: "0"), count: max(0, 6 - digits.count))
                    fraction = padded.reduce(0) { $0 * 10 + Int64($1 - UInt8(ascii: "0")) }
                }
            }
            seconds += hour * 3600 + minute * 60 + second
        }
        let suffix = String(decoding: characters[index...], as: UTF8.self)
        if suffix.isEmpty {
            if let zone { seconds -= Int64(zone.offset(at: seconds - Int64(zone.offset(at: seconds)))) }
        } else if suffix != "Z" && suffix != "z" {
            guard let offset = TimeZoneRule.fixedOffset(suffix) else { return nil }
            seconds -= Int64(offset)
        }
        return seconds * 1_000_000 + fraction
    }

    /// `2025-12-06T10:00:00.391601Z`: UTC with six fractional digits.
    public static func text(microseconds: Int64) -> String {
        let milliseconds = microseconds.floorDivided(by: 1000)
        let base = Timestamp(millisecondsSince1970: milliseconds).iso8601.dropLast()  // "….391"
        let rest = String(microseconds - milliseconds * 1000)
        return base + String(repeating: "0", count: 3 - rest.count) + rest + "Z"
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    public static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, so times before 1970 split correctly.
    public func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }
}
