import FunctionKit

// libFuzzer target: arbitrary text as a settings file (`--env-file`). It must read as settings
// or fail naming a line of the text; every name read is a LEADWIRE_ name and no value spans
// lines; and the settings written back one `NAME='value'` a line read as the same settings.

func fuzzSettingsText(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    let settings: [String: String]
    do {
        settings = try SettingsText.parse(text)
    } catch {
        let lines = text.unicodeScalars.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        guard (1...lines).contains(error.line) else { fatalError("line \(error.line) of \(lines) named") }
        return
    }
    for (name, value) in settings {
        guard name.hasPrefix("LEADWIRE_"), !value.unicodeScalars.contains("\n") else { fatalError("\(name)=\(value) read") }
    }
    let written = settings.sorted { $0.key < $1.key }.map { "\($0.key)='\($0.value)'\n" }.joined()
    guard (try? SettingsText.parse(written)) == settings else { fatalError("\(settings) written as \(written) reads back differently") }
}
