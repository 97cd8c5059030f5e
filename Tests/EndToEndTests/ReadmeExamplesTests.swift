import Admin
import Foundation
import LeadwireStore
import TestSupport
import Testing

/// The README's examples are what users copy: every shell block runs against a live runtime (with
/// Kommo stood in for), and every `sql` block runs against the database those requests filled.
@Suite struct ReadmeExamplesTests {
    static let readme = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "README.md")

    /// The fenced blocks of one language, in order, between two headings (or in the whole file).
    static func blocks(_ language: String, from startHeading: String? = nil, to endHeading: String? = nil) throws -> [String] {
        var text = try String(contentsOf: readme, encoding: .utf8)
        if let startHeading, let start = text.range(of: "\n" + startHeading + "\n") { text = String(text[start.upperBound...]) }
        if let endHeading, let end = text.range(of: "\n" + endHeading + "\n") { text = String(text[..<end.lowerBound]) }
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

    /// The walkthrough, pasted as a reader would: every shell block from "Try it" to
    /// "Configuration", in order, in one shell that stops at the first failure and at any unset
    /// variable (so a block that needs `$KEY` before it is set fails here). Only the block that
    /// starts the runtime is left out: the test starts it the same way.
    @Test func theWalkthroughWorksPastedIntoOneShell() async throws {
        let scratch = Scratch("readme")
        // Kommo stood in for, with the integration secret of the README's start command.
        let kommo = try await KommoStandIn(scratch: scratch, clientSecret: "my-client-secret")
        // The settings of the README's start command, the secret key scripts/serve would make,
        // and Kommo's API at the stand-in.
        let (server, base) = try await startRuntime(
            in: scratch,
            settings: [
                "LEADWIRE_AMOCRM_TARGETOLOGISTS": "Kenesary=kenesary*", "LEADWIRE_WEBHOOKS_ALLOW_PRIVATE": "1",
                "LEADWIRE_KOMMO_CLIENT_ID": "my-client-id", "LEADWIRE_KOMMO_CLIENT_SECRET": "my-client-secret",
                "LEADWIRE_KOMMO_REDIRECT_URI": "http://127.0.0.1:8080/kommo-oauth?action=callback",
                "LEADWIRE_SECRET_KEY": String(repeating: "ab", count: 32), "LEADWIRE_KOMMO_API_ORIGIN": kommo.base,
            ])
        // What the README leaves to a browser: consent at Kommo, and Kommo's redirect back.
        let connector = try ApiKeys(database: scratch.database()).create(name: "browser", scopes: [.kommoAPI])
        let consent = try await http("GET", base + "/kommo-oauth?action=authorize", headers: ["Authorization": "Bearer \(connector)"])
        let state = try #require(consent.headers["location"]?.split(separator: "state=").last)
        let connected = try await http("GET", base + "/kommo-oauth?action=callback&code=good-code&state=\(state)&referer=acme.kommo.com")
        #expect(connected.status == 200, "\(connected.body)")
        // The walkthrough runs in a checkout, where the widget's folder is.
        try FileManager.default.createSymbolicLink(
            at: scratch.folder.appending(path: "widget"), withDestinationURL: Self.readme.deletingLastPathComponent().appending(path: "widget"))
        // curl fails on HTTP errors and stays quiet (a .curlrc), as `set -e` needs.
        try "silent\nshow-error\nfail-with-body\n".write(to: scratch.folder.appending(path: ".curlrc"), atomically: true, encoding: .utf8)

        // Shell blocks are fenced `bash`, so that every one of them runs here.
        #expect(try Self.blocks("sh").isEmpty, "a shell block fenced sh would be left out")
        let blocks = try Self.blocks("bash", from: "## Try it", to: "## Configuration").filter { !$0.contains("scripts/serve") }
        #expect(blocks.count >= 10)
        let script = (["set -euo pipefail"] + blocks).joined(separator: "\n")
            .replacingOccurrences(of: "http://127.0.0.1:8080", with: base)
            .replacingOccurrences(of: ".build/debug/runtime", with: "'\(try Products.url("runtime").path)'")
            // On PostgreSQL the README's sqlite3 lines (portable SQL) go to psql.
            .replacingOccurrences(of: "sqlite3 leadwire.sqlite3 ", with: TestStore.isPostgres ? "psql -X -q \"$LEADWIRE_DATABASE_URL\" -c " : "sqlite3 leadwire.sqlite3 ")
        let log = scratch.folder.appending(path: "walkthrough.out")
        let (status, output) = try ServerProcess.runToEnd(
            "/bin/bash", ["-c", "cd '\(scratch.folder.path)' && " + script],
            environment: scratch.storeSettings.merging(["PATH": "/usr/bin:/bin", "CURL_HOME": scratch.folder.path]) { $1 })
        try output.write(to: log, atomically: true, encoding: .utf8)
        #expect(status == 0, "the walkthrough stopped: \(output.suffix(2000))")
        #expect(!output.contains(#""outcome":"error""#) && !output.contains(#""routing_decision":"unknown""#), "\(output)")
        // The filtered exports find the rows the walkthrough made: the consenting caller, the VIP lead.
        #expect(output.contains("8019858999"), "the consent-only users export is empty")
        #expect(output.contains(#""name":"Aliya VIP""#), "the tag and custom-field export is empty")
        #expect(output.contains(#""total":1"#), "the users listing")
        // The answers README shows are the ones given (the parts it does not elide).
        #expect(output.contains(#""action":"status","kommo_id":999999,"outcome":"updated"}"#), "the status change's answer")
        #expect(
            output.contains(#""deals":[{"lead_id":9002,"sale":true,"routing_decision":"traffic","outcome":"recorded","targetologist":"Kenesary"}]"#),
            "the traffic sale's answer")
        // Kommo's API answered through the proxy, and the widget request was taken.
        #expect(output.contains(#""next":"/api/v4/leads?page=2&limit=50"}"#), "the proxy call: \(output.suffix(2000))")
        #expect(output.contains(#"{"status":"ok"}"#), "the widget request")
        #expect(output.contains("its Salesbot step posts to https://leads.example.com/widget-request") && output.contains("10 files"), "the widget archive")
        #expect(output.contains(#""authorize_url":"https://www.kommo.com/oauth?client_id=my-client-id"#), "authorize")
        // The outbound example's receiver verified both deliveries' signatures.
        #expect(output.contains("webhook.test verified") && output.contains("lead.created verified"), "\(output.suffix(3000))")

        let database = try scratch.database()
        #expect(try database.queryRow("SELECT sold_at FROM referral_sales")?[0].text?.hasPrefix("2025-12-06") == true, "sold_at as README explains")
        // The README's SQL is SQLite's (its sqlite3 examples); on PostgreSQL the walkthrough is enough.
        guard database.dialect == .sqlite else { return }
        let queries = try Self.blocks("sql").flatMap { block in
            block.split(separator: ";").map { $0.split(separator: "\n").filter { !$0.hasPrefix("--") }.joined(separator: "\n") }
                .filter { !$0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
        }
        #expect(queries.count >= 16)
        for query in queries {
            let rows = try database.query(query)
            // Every example finds what the walkthrough stored, except the list of failures.
            if query.contains("status = 'error'") || query.contains("WHERE is_primary = 0") {
                #expect(rows.isEmpty, "\(query)")
            } else {
                #expect(!rows.isEmpty, "no rows for: \(query)")
            }
        }
        _ = server
    }

    /// README's deploy block, pasted as root on a machine with lighttpd: the functions copied,
    /// the user and folders made, tokens in files, the database migrated as that user, the
    /// configuration written, lighttpd started. Paths move into a scratch folder and the build
    /// is the one under test; nothing else changes.
    @Test(.enabled(if: getuid() == 0, "needs root, as the deploy block does"))
    func theDeployBlockStartsLighttpdAsPasted() async throws {
        // A short folder: lighttpd's sockets go in the state folder, and a Unix socket's path holds 107 bytes.
        let root = FileManager.default.temporaryDirectory.appending(path: "rd-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let scratch = Scratch(folder: root)
        let block = try #require(try Self.blocks("bash", from: "## Deploying behind a web server", to: "## Backups").first)
        let state = scratch.folder.appending(path: "state").path
        func script(port: Int) -> [String] {
            ["set -euo pipefail"] + block.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("swift build") }.map { line in
            line.replacingOccurrences(of: ".build-release/release/", with: Products.directory.path + "/")
                .replacingOccurrences(of: "/opt/leadwire", with: scratch.folder.appending(path: "opt").path)
                .replacingOccurrences(of: "/var/lib/leadwire", with: state)
                .replacingOccurrences(of: "/etc/leadwire", with: scratch.folder.appending(path: "etc").path)
                .replacingOccurrences(of: "/etc/lighttpd/leadwire.conf", with: scratch.folder.appending(path: "lighttpd.conf").path)
                .replacingOccurrences(of: "--port 8080", with: "--port \(port)")
                // The server stays up for the test; it is stopped below.
                .replacingOccurrences(of: "lighttpd -D -f", with: "lighttpd -f")
            }
        }
        // The block is safe to run again: if something outside the tests holds the port by the
        // time lighttpd binds it, the block runs again on another.
        var port = 0
        var (status, output): (Int32, String) = (-1, "")
        for _ in 0..<3 where status != 0 {
            port = try freePort()
            (status, output) = try ServerProcess.runToEnd(
                "/bin/bash", ["-c", script(port: port).joined(separator: "\n")], environment: ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"])
            if status != 0 { output += (try? String(contentsOfFile: state + "/lighttpd-error.log", encoding: .utf8)) ?? "" }
        }
        #expect(status == 0, "the deploy block stopped: \(output)")
        defer {
            if let pid = (try? String(contentsOfFile: state + "/lighttpd.pid", encoding: .utf8)).flatMap({ Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }) {
                kill(pid, SIGTERM)
            }
        }
        let token = try String(contentsOfFile: scratch.folder.appending(path: "etc/kommo_webhook_token").path, encoding: .utf8)
        let form = ["Content-Type": "application/x-www-form-urlencoded"]
        var answer: HTTPResult?
        for _ in 0..<100 where answer == nil {
            answer = try? await http("POST", "http://127.0.0.1:\(port)/kommo-webhook?token=\(token)", body: kommoLeadForm(id: 77, name: "Deployed"), headers: form, timeout: 2)
            if answer == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(answer?.status == 200, "\(answer?.body ?? "no answer")")
        #expect(try await http("POST", "http://127.0.0.1:\(port)/kommo-webhook", body: kommoLeadForm(id: 78, name: "Stranger"), headers: form).status == 401)
        // The database is the functions' user's, and nobody else's.
        let attributes = try FileManager.default.attributesOfItem(atPath: state + "/leadwire.sqlite3")
        #expect(attributes[.ownerAccountName] as? String == "leadwire")
        #expect(((attributes[.posixPermissions] as? Int) ?? 0o777) & 0o077 == 0)
    }
}
