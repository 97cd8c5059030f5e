import FunctionKit

// libFuzzer target: arbitrary text as a date or time filter or a CRM time stamp. A time that
// parses must print in the store's form and parse back to the same instant.

func fuzzTimeText(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let microseconds = ISO8601Time.microseconds(text) else { return }
    // Years 0000-9999 only: the printed form has four digits.
    guard microseconds > -62_135_596_800_000_000, microseconds < 253_402_300_800_000_000 else { return }
    let printed = ISO8601Time.text(microseconds: microseconds)
    guard ISO8601Time.microseconds(printed) == microseconds else { fatalError("\(text) printed as \(printed) reads back differently") }
}
