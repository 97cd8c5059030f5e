import Foundation
import LeadwireStore
import TestSupport

/// The built executables, found next to the test bundle (`.build/<triple>/debug/`), or in
/// LEADWIRE_PRODUCTS_DIR (a release build) when set, run the way a CGI host runs them.
enum Products {
    static let directory =
        ProcessInfo.processInfo.environment["LEADWIRE_PRODUCTS_DIR"].map { URL(fileURLWithPath: $0).standardizedFileURL }
        ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()

    static func url(_ name: String) throws -> URL {
        let url = directory.appending(path: name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw TestSetupError("\(name) is not built in \(directory.path); run `swift build` before `swift test`.")
        }
        return url
    }
}

struct TestSetupError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// A fresh folder under $TMPDIR (scripts/test gives each run its own and removes it
/// afterwards) and a fresh store: a SQLite file in the folder, or on the PostgreSQL pass a
/// schema of its own (`TestStore`).
struct Scratch {
    let folder: URL
    /// LEADWIRE_DATABASE and, on the PostgreSQL pass, LEADWIRE_DATABASE_URL.
    let storeSettings: [String: String]
    var databasePath: String { folder.appending(path: "leadwire.sqlite3").path }
    /// The PostgreSQL URL, or "" (unset) on the SQLite pass.
    var databaseURL: String { storeSettings["LEADWIRE_DATABASE_URL"] ?? "" }

    init(_ label: String) {
        let folder = FileManager.default.temporaryDirectory.appending(path: "\(label)-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        self.init(folder: folder)
    }

    /// A scratch in a folder the test made (one with a short path, say).
    init(folder: URL) {
        self.folder = folder
        storeSettings = TestStore.fresh(in: folder).merging(["LEADWIRE_DATABASE": folder.appending(path: "leadwire.sqlite3").path]) { $1 }
    }

    func database() throws -> Database { try TestStore.open(storeSettings) }

    /// Writes a secret into a file of the scratch folder (the web-server tests make it readable
    /// by the functions' user) and returns the `<NAME>_FILE` setting naming it.
    func secretFile(_ name: String, _ value: String) throws -> [String: String] {
        let file = folder.appending(path: name.lowercased())
        try Data(value.utf8).write(to: file)
        return [name + "_FILE": file.path]
    }

    /// The store, the webhooks opened by name (`TestSettings.openIntake`) and a storing deadline
    /// a loaded machine cannot miss (`TestSettings.patientDeadline`): what a test about
    /// processing runs the functions with.
    var openSettings: [String: String] { storeSettings.merging(TestSettings.openIntake) { $1 }.merging(TestSettings.patientDeadline) { $1 } }
}

/// What a function wrote to stdout, split as a CGI host reads it.
struct CGIResult {
    let status: Int
    let headers: [String: String]
    let body: String

    init(output: Data) {
        let text = String(decoding: output, as: UTF8.self)
        let parts = text.components(separatedBy: "\n\n")
        var headers: [String: String] = [:]
        for line in parts[0].split(separator: "\n") {
            let pair = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 { headers[pair[0].lowercased()] = pair[1] }
        }
        status = Int(headers["status"]?.prefix(3) ?? "") ?? 0
        self.headers = headers
        body = parts.dropFirst().joined(separator: "\n\n")
    }
}

/// Runs a function executable once: CGI meta-variables in the environment, `stdin` on its
/// standard input, stdout collected. The storing deadline is `TestSettings.patientDeadline`
/// unless `environment` names one.
func runCGI(_ name: String, environment: [String: String], stdin: Data) throws -> CGIResult {
    let process = Process()
    process.executableURL = try Products.url(name)
    process.environment = TestSettings.patientDeadline.merging(environment) { $1 }
    let input = Pipe()
    let output = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    try process.run()
    // A function may answer without reading its body (a bad setting, a body over the limit) and
    // exit first: the write then fails with EPIPE, which must not kill the test runner.
    _ = ignoreBrokenPipes
    try? input.fileHandleForWriting.write(contentsOf: stdin)
    try? input.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CGIResult(output: data)
}

/// A form-encoded Kommo lead event with a real-shaped account block.
func kommoLeadForm(action: String = "add", id: Int, name: String, updatedAt: Int = 1_744_532_875) -> String {
    "leads%5B\(action)%5D%5B0%5D%5Bid%5D=\(id)&leads%5B\(action)%5D%5B0%5D%5Bname%5D=\(name.replacingOccurrences(of: " ", with: "+"))"
        + "&leads%5B\(action)%5D%5B0%5D%5Bstatus_id%5D=142&leads%5B\(action)%5D%5B0%5D%5Bupdated_at%5D=\(updatedAt)"
        + "&account%5Bsubdomain%5D=acme&account%5Bid%5D=29085730"
}

/// A won amoCRM deal, form-encoded, with a utm_source custom field.
func amoWonDealForm(id: Int, utmSource: String) -> String {
    "leads%5Bstatus%5D%5B0%5D%5Bid%5D=\(id)&leads%5Bstatus%5D%5B0%5D%5Bstatus_id%5D=142&leads%5Bstatus%5D%5B0%5D%5Bpipeline_id%5D=10418746"
        + "&leads%5Bstatus%5D%5B0%5D%5Bprice%5D=150000&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bname%5D=utm_source"
        + "&leads%5Bstatus%5D%5B0%5D%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=\(utmSource)&account%5Bid%5D=31"
}

/// A Knowlarity call as the Hook API posts it.
func knowlarityCallJSON(uuid: String, phone: String = "+918019858999") -> String {
    #"{"uuid":"\#(uuid)","customer_number":"\#(phone)","agent_number":"NA","start_time":"2025-12-06 11:11:21+05:30","call_duration":"7"}"#
}

/// SIGPIPE ignored in the test process, once: a write to a child that has gone must fail with
/// EPIPE, not end the whole test run with signal 13.
let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()
