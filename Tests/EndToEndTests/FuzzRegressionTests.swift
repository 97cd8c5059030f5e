import Foundation
import FunctionCatalog
import Testing

/// Every input that once broke a handler (Fuzz/regressions/<function>/) stays answered: each
/// goes through the function's real handler on a fresh SQLite store (`handler-fuzz FUNCTION
/// FILE…`, the harness scripts/fuzz drives with libFuzzer), which fails on a trap or on a 2xx
/// that logged nothing.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test(arguments: Catalog.functions.map(\.name))
    func savedInputsAreAnswered(function: String) throws {
        let folder = Self.root.appending(path: "Fuzz/regressions/\(function)")
        let inputs = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted().map { folder.appending(path: $0).path }
        guard !inputs.isEmpty else { return }
        let (status, output) = try ServerProcess.runToEnd(try Products.url("handler-fuzz").path, [function] + inputs)
        #expect(status == 0, "\(output)")
        #expect(output.contains("\(inputs.count) inputs through \(function), all answered"))
    }

    /// The regression folders hold what the tests above run; an input for the handler of a
    /// function that does not exist would never run.
    @Test func everyRegressionFolderNamesAFunctionOrAParser() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appending(path: "Fuzz/regressions").path)
        let parsers = ["fastcgi-records", "form-tree", "json-body", "time-text", "cgi-request", "subscriber-url", "salesbot-token", "settings-file", "allowlist-entry"]
        for folder in folders {
            #expect(Catalog.function(named: folder) != nil || parsers.contains(folder), "Fuzz/regressions/\(folder) is no fuzz target")
        }
    }
}
