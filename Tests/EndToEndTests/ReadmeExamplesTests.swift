import Admin
import Foundation
import LeadwireStore
import Testing

/// The README's examples are what users copy: every `curl` block runs against a live runtime, and
/// every `sql` block runs against the database those requests filled.
@Suite struct ReadmeExamplesTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "README.md")

    /// The fenced blocks of one language, in order.
    static func blocks(_ language: String) throws -> [String] {
        let text = try String(contentsOf: readme, encoding: .utf8)
        var blocks: [String] = []
        var current: [Substring]?
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if current == nil, line == "```\(language)" {
                current = []
            } else if current != nil, line == "```" {
                blocks.append(current!.joined(separator: "\n"))
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    @Test func curlExamplesSucceedAndSQLExamplesFindTheirRows() async throws {
        let scratch = Scratch("readme")
        // As the README starts it: with a targetologist rule for the traffic example.
        let (server, base) = try await startRuntime(in: scratch, settings: ["LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*"])

        // The admin examples use a key of the reader's own: here, a fresh one.
        let key = try ApiKeys(database: Database(path: scratch.databasePath)).create(
            name: "readme", scopes: [.logsRead, .logsReplay, .export])
        // curl fails on HTTP errors and stays quiet, for every curl in a block (a .curlrc).
        try "silent\nshow-error\nfail-with-body\n".write(to: scratch.folder.appending(path: ".curlrc"), atomically: true, encoding: .utf8)

        let examples = try Self.blocks("bash").filter { $0.hasPrefix("curl ") }
        #expect(examples.count >= 8)
        for example in examples {
            let command = example.replacingOccurrences(of: "http://127.0.0.1:8080", with: base)
                .replacingOccurrences(of: "$KEY", with: key)
                .replacingOccurrences(of: "leadwire.sqlite3", with: scratch.databasePath)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-e", "-c", command]
            process.environment = ["PATH": "/usr/bin:/bin", "CURL_HOME": scratch.folder.path]
            process.currentDirectoryURL = scratch.folder
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let answer = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(example) failed: \(answer)")
            if !example.contains("$KEY") {
                #expect(answer.contains(#""status":"success""#) || answer.contains(#""success":true"#), "\(answer)")
                #expect(!answer.contains(#""outcome":"error""#) && !answer.contains(#""routing_decision":"unknown""#), "\(answer)")
            }
        }

        let database = try Database(path: scratch.databasePath)
        let queries = try Self.blocks("sql").flatMap { block in
            block.split(separator: ";").map { $0.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n") }
                .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        }
        #expect(queries.count >= 16)
        for query in queries {
            let rows = try database.query(query)
            // Every example finds what the curl examples stored, except the list of failures.
            if query.contains("status = 'error'") || query.contains("WHERE is_primary = 0") {
                #expect(rows.isEmpty, "\(query)")
            } else {
                #expect(!rows.isEmpty, "no rows for: \(query)")
            }
        }
        _ = server
    }
}
