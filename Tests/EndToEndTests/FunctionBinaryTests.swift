import Foundation
import FunctionCatalog
import Testing

/// What a function binary links is paid on every CGI request, in its cold start: the functions
/// link the Swift runtime, libsqlite3 and libc, and neither Foundation nor FoundationEssentials.
/// A new dependency that brings Foundation back (directly, or by switching on a package trait
/// such as swift-http-types' FoundationURL) fails here. libcrypto is loaded only when a digest
/// or a cipher is first needed, so no function links it; SwiftNIO and its BoringSSL only where a
/// function itself makes requests out.
@Suite struct FunctionBinaryTests {
    /// The functions that call other services themselves (kommo-oauth: Kommo's token endpoint and
    /// API). Webhooks out are sent by the worker, which is part of the runtime.
    static let mayLinkSwiftNIO: Set = ["kommo-oauth"]

    @Test(arguments: Catalog.functions.map(\.name))
    func linksNoFoundationNorLibcrypto(function: String) throws {
        let binary = try Products.url(function).path
        let (status, libraries) = try ServerProcess.runToEnd("/usr/bin/ldd", [binary])
        #expect(status == 0, "ldd \(binary): \(libraries)")
        #expect(libraries.contains("libswiftCore"), "expected a dynamically linked build: \(libraries)")
        #expect(!libraries.contains("libFoundation"), "\(function) links Foundation:\n\(libraries)")
        #expect(!libraries.contains("libcrypto"), "\(function) links libcrypto (load it on demand):\n\(libraries)")
    }

    /// Swift packages are linked into the executable, so their symbols are looked for in it.
    @Test(arguments: Catalog.functions.map(\.name))
    func linksSwiftNIOOnlyWhereItCallsOut(function: String) throws {
        let binary = try Data(contentsOf: Products.url(function))
        let linked = (nio: binary.firstRange(of: Data("7NIOCore".utf8)) != nil, boringSSL: binary.firstRange(of: Data("CNIOBoringSSL_".utf8)) != nil)
        if Self.mayLinkSwiftNIO.contains(function) {
            #expect(linked.nio && linked.boringSSL, "\(function) is expected to call out with SwiftNIO; the symbol probe found none")
        } else {
            #expect(!linked.nio, "\(function) links SwiftNIO")
            #expect(!linked.boringSSL, "\(function) links BoringSSL")
        }
    }
}

/// A function is its module, its `Functions/<name>/main.swift`, one catalog entry and one line in
/// Package.swift's `functions` list, from which its product and target are made; the router, the
/// host configs, README's table and the tests read the catalog, so the two lists must agree.
@Suite struct CatalogTests {
    @Test func everyCatalogFunctionHasItsLineMainModuleAndDocs() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appending(path: "Package.swift"), encoding: .utf8)
        let lines = manifest.matches(of: /\n    \("([a-z0-9-]+)", "([A-Za-z]+)"\),/).map { (name: String($0.output.1), module: String($0.output.2)) }
        let catalog = Set(Catalog.functions.map(\.name))
        #expect(Set(lines.map(\.name)) == catalog, "Package.swift's functions list and the catalog differ")
        for (name, module) in lines {
            let main = try String(contentsOf: root.appending(path: "Functions/\(name)/main.swift"), encoding: .utf8)
            #expect(main.contains("import \(module)\n"), "Functions/\(name)/main.swift does not use its module \(module)")
            #expect(FileManager.default.fileExists(atPath: root.appending(path: "Shared/\(module)").path), "\(name)'s module \(module) has no folder")
            #expect((try? Products.url(name)) != nil, "\(name) was not built as a product")
        }
        // README's function table is the catalog's, as scripts/docs writes it.
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        let table = try #require(readme.firstMatch(of: /<!-- functions -->\n((?s).*?)<!-- \/functions -->/), "README has no function table markers").output.1
        let (status, generated) = try ServerProcess.runToEnd(try Products.url("runtime").path, ["functions", "--markdown"])
        #expect(status == 0)
        #expect(String(table) == generated, "README's function table differs from the catalog: run scripts/docs")
        // `runtime functions --json`, which the benchmarks read, names the same functions.
        let (_, json) = try ServerProcess.runToEnd(try Products.url("runtime").path, ["functions", "--json"])
        let listed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(Set(listed?.compactMap { $0["name"] as? String } ?? []) == catalog)
        // The deploy guides install what the catalog names, so a new function cannot be left out.
        let (_, names) = try ServerProcess.runToEnd(try Products.url("runtime").path, ["functions", "--names"])
        #expect(Set(names.split(separator: "\n").map(String.init)) == catalog)
        for host in ["lighttpd", "nginx", "apache"] {
            let guide = try String(contentsOf: root.appending(path: "deploy/\(host)/README.md"), encoding: .utf8)
            #expect(guide.contains("$(.build-release/release/runtime functions --names)"), "deploy/\(host) does not install the catalog's functions")
        }
    }
}

/// Every setting is declared once (`Setting.all`); README's Configuration table and the example
/// settings file are written from the declarations, and the code names no other setting.
@Suite struct SettingsDocumentationTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func readmeAndTheExampleFileAreWrittenFromTheDeclarations() throws {
        let readme = try String(contentsOf: Self.root.appending(path: "README.md"), encoding: .utf8)
        let table = try #require(readme.firstMatch(of: /<!-- settings -->\n((?s).*?)<!-- \/settings -->/), "README has no settings markers").output.1
        let runtime = try Products.url("runtime").path
        #expect(String(table) == (try ServerProcess.runToEnd(runtime, ["settings", "--markdown"])).output, "README's table differs: run scripts/docs")
        let example = try String(contentsOf: Self.root.appending(path: "deploy/leadwire.env.example"), encoding: .utf8)
        #expect(example == (try ServerProcess.runToEnd(runtime, ["settings", "--example"])).output, "deploy/leadwire.env.example differs: run scripts/docs")
    }

    @Test func theCodeNamesOnlyDeclaredSettingsAndEveryDeclaredOneIsRead() throws {
        let declared = Set(Setting.all.map(\.name))
        #expect(declared.count == Setting.all.count, "a setting declared twice")
        // The catalog's lists (what a host passes each function), sender settings included.
        let listed = Set(Catalog.functions.flatMap(\.settings) + Catalog.commonSettings)
        #expect(listed.subtracting(declared).subtracting(Setting.internalNames).sorted() == [], "the catalog lists an undeclared setting")
        var named = Set<String>()
        for folder in ["Shared", "runtime"] {
            let files = FileManager.default.enumerator(at: Self.root.appending(path: folder), includingPropertiesForKeys: nil)
            while let file = files?.nextObject() as? URL {
                guard file.pathExtension == "swift", !file.path.hasSuffix("FunctionCatalog/Settings.swift") else { continue }
                let text = try String(contentsOf: file, encoding: .utf8)
                named.formUnion(text.matches(of: /"(LEADWIRE_[A-Z_]+)"/).map { String($0.output.1) })
            }
        }
        #expect(named.subtracting(declared).subtracting(Setting.internalNames).sorted() == [], "named in the code but not declared")
        #expect(declared.subtracting(named).subtracting(listed).sorted() == [], "declared but read by no code")
    }
}
