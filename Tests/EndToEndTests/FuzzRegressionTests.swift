import Foundation
import FunctionCatalog
import Testing

/// Every input that once broke a parser or a handler (Fuzz/regressions/<target>/) stays
/// answered: each goes through the same code scripts/fuzz drives with libFuzzer (`fuzz TARGET
/// FILE…`; a handler on a fresh SQLite store), which fails on a trap, a broken property, or a
/// webhook answered 2xx that logged nothing.
@Suite struct FuzzRegressionTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The targets the fuzz program knows, from its usage line.
    static func targets() throws -> [String] {
        let (status, usage) = try ServerProcess.runToEnd(try Products.url("fuzz").path, [])
        #expect(status == 2)
        let list = try #require(usage.firstMatch(of: /TARGET: ([a-z0-9, -]+)\)/)).output.1
        return list.split(separator: ", ").map(String.init)
    }

    @Test func savedInputsAreAnswered() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appending(path: "Fuzz/regressions").path).sorted()
        for target in folders {
            let folder = Self.root.appending(path: "Fuzz/regressions/\(target)")
            let inputs = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().map { folder.appending(path: $0).path }
            guard !inputs.isEmpty else { continue }
            let (status, output) = try ServerProcess.runToEnd(try Products.url("fuzz").path, [target] + inputs)
            #expect(status == 0, "\(target): \(output)")
            #expect(output.contains("\(inputs.count) inputs through \(target), all answered"), "\(output)")
        }
    }

    /// Every function's handler is a target, every regression folder names one, and scripts/fuzz
    /// runs them all.
    @Test func everyTargetIsFuzzedAndEveryFolderNamesOne() throws {
        let targets = try Self.targets()
        #expect(Set(Catalog.functions.map(\.name)).isSubset(of: targets), "a function's handler is not fuzzed")
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.appending(path: "Fuzz/regressions").path)
        for folder in folders {
            #expect(targets.contains(folder), "Fuzz/regressions/\(folder) is no fuzz target")
        }
        let script = try String(contentsOf: Self.root.appending(path: "scripts/fuzz"), encoding: .utf8)
        for target in targets {
            #expect(script.contains(" \(target) ") || script.contains(" \(target);"), "scripts/fuzz does not run \(target)")
        }
    }
}
