import Foundation
import FunctionCatalog
import Testing

/// What a function binary links is paid on every CGI request, in its cold start: the functions
/// link the Swift runtime, libsqlite3 and libc, and neither Foundation nor FoundationEssentials.
/// A new dependency that brings Foundation back (directly, or by switching on a package trait
/// such as swift-http-types' FoundationURL) fails here.
@Suite struct FunctionBinaryTests {
    @Test(arguments: Catalog.functions.map(\.name))
    func linksNoFoundation(function: String) throws {
        let binary = try Products.url(function).path
        let (status, libraries) = try ServerProcess.runToEnd("/usr/bin/ldd", [binary])
        #expect(status == 0, "ldd \(binary): \(libraries)")
        #expect(libraries.contains("libswiftCore"), "expected a dynamically linked build: \(libraries)")
        #expect(!libraries.contains("libFoundation"), "\(function) links Foundation:\n\(libraries)")
    }
}

/// A function is its module, its `Functions/<name>/main.swift`, one catalog entry and one
/// `function(...)` line in Package.swift; the router, the host configs and the tests read the
/// catalog, so the two lists must agree.
@Suite struct CatalogTests {
    @Test func theCatalogAndThePackageNameTheSameFunctions() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appending(path: "Package.swift"), encoding: .utf8)
        let declared = Set(manifest.matches(of: /function\("([a-z0-9-]+)"/).map { String($0.output.1) })
        let products = Set(manifest.matches(of: /\.executable\(name: "([a-z0-9-]+)"/).map { String($0.output.1) }).subtracting(["runtime"])
        let catalog = Set(Catalog.functions.map(\.name))
        #expect(declared == catalog, "Package.swift's function(...) lines and the catalog differ")
        #expect(products == catalog, "Package.swift's executable products and the catalog differ")
        for name in catalog {
            #expect(FileManager.default.fileExists(atPath: root.appending(path: "Functions/\(name)/main.swift").path), "\(name) has no main.swift")
        }
    }
}
