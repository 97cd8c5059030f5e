import Foundation

/// Runs a Python script with the system's python3 (scripts/setup installs it) and decodes what
/// it prints as JSON: Python's standard library as an independent judge of what the code under
/// test decides (addresses, ranges).
public func pythonVerdicts<Verdict: Decodable>(_ script: String, as type: Verdict.Type = Verdict.self) throws -> Verdict {
    let python = Process()
    python.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
    python.arguments = ["-c", script]
    let output = Pipe()
    python.standardOutput = output
    try python.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    python.waitUntilExit()
    return try JSONDecoder().decode(Verdict.self, from: data)
}
