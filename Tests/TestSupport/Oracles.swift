public import Foundation

/// Runs a Python script with the system's python3 (scripts/setup installs it) and decodes what
/// it prints as JSON: Python's standard library as an independent judge of what the code under
/// test decides (addresses, ranges).
public func pythonVerdicts<Verdict: Decodable>(_ script: String, as type: Verdict.Type = Verdict.self) throws -> Verdict {
    try verdicts(of: "/usr/bin/python3", ["-c", script], input: Data(), as: type)
}

/// Runs a PHP script with the system's php (the php8.2-cli package, which scripts/setup installs
/// for the tests) on `input` as its standard input, and decodes what it prints as JSON: PHP's own
/// `parse_str` as the judge of how Kommo's PHP-style form bodies read.
public func phpVerdicts<Verdict: Decodable>(_ script: String, input: Data, as type: Verdict.Type = Verdict.self) throws -> Verdict {
    try verdicts(of: "/usr/bin/php", ["-r", script], input: input, as: type)
}

private func verdicts<Verdict: Decodable>(of executable: String, _ arguments: [String], input: Data, as type: Verdict.Type) throws -> Verdict {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let output = Pipe()
    let standardInput = Pipe()
    process.standardOutput = output
    process.standardInput = standardInput
    try process.run()
    // Written from a thread of its own: a large input and a large output would otherwise wait on each other.
    let writer = Thread {
        try? standardInput.fileHandleForWriting.write(contentsOf: input)
        try? standardInput.fileHandleForWriting.close()
    }
    writer.start()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try JSONDecoder().decode(Verdict.self, from: data)
}
