import Foundation
import Testing

/// README's Layout section names every module and every folder of the runtime, the fuzzer and the
/// benchmarks, and nothing that is gone: a new module cannot be left out of it.
@Suite struct LayoutDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The folders the block lists: `Shared/X/` at the start of a line, and `  X/` under the
    /// top-level folder above it (`runtime/`, `Fuzz/`, `Benchmarks/`).
    static func listedFolders() throws -> Set<String> {
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        let block = try #require(readme.firstMatch(of: /## Layout\n\n```\n((?s).*?)```/)).output.1
        var listed = Set<String>()
        var parent = ""
        for line in block.split(separator: "\n") {
            guard let name = line.split(separator: " ").first, name.hasSuffix("/") else { continue }
            if line.hasPrefix("  ") {
                listed.insert(parent + name.dropLast())
            } else {
                parent = String(name)
                listed.insert(String(name.dropLast()))
            }
        }
        return listed
    }

    static func folders(in folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: root.appending(path: folder).path).filter { name in
            // Python's bytecode cache appears once a benchmark has imported another; it is not part of the layout.
            guard name != "__pycache__" else { return false }
            var isFolder: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appending(path: "\(folder)/\(name)").path, isDirectory: &isFolder) && isFolder.boolValue
        }.map { "\(folder)/\($0)" }
    }

    @Test func everyModuleAndFolderIsListedAndEveryListedOneExists() throws {
        let listed = try Self.listedFolders()
        for folder in try ["Shared", "runtime", "Fuzz", "Benchmarks"].flatMap(Self.folders) {
            let isListed = listed.contains(folder)
            #expect(isListed, "README's Layout does not list \(folder)/")
        }
        for folder in listed {
            let exists = FileManager.default.fileExists(atPath: Self.root.appending(path: folder).path)
            #expect(exists, "README's Layout lists \(folder)/, which does not exist")
        }
    }
}
