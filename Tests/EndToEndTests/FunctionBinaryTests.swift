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

/// A function is its module, its `Functions/<name>/main.swift`, one catalog entry and one
/// `function(...)` line in Package.swift; the router, the host configs and the tests read the
/// catalog, so the two lists must agree.
@Suite struct CatalogTests {
    @Test func theCatalogAndThePackageNameTheSameFunctions() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = try String(contentsOf: root.appending(path: "Package.swift"), encoding: .utf8)
        let declared = Set(manifest.matches(of: /function\("([a-z0-9-]+)"/).map { String($0.output.1) })
        let products = Set(manifest.matches(of: /\.executable\(name: "([a-z0-9-]+)"/).map { String($0.output.1) }).subtracting(["runtime", "fuzz", "parse-bodies"])
        let catalog = Set(Catalog.functions.map(\.name))
        #expect(declared == catalog, "Package.swift's function(...) lines and the catalog differ")
        #expect(products == catalog, "Package.swift's executable products and the catalog differ")
        for name in catalog {
            #expect(FileManager.default.fileExists(atPath: root.appending(path: "Functions/\(name)/main.swift").path), "\(name) has no main.swift")
        }
        // The deploy guides install every function.
        for host in ["lighttpd", "nginx", "apache"] {
            let guide = try String(contentsOf: root.appending(path: "deploy/\(host)/README.md"), encoding: .utf8)
            let copied = try #require(guide.firstMatch(of: /release\/\{([a-z,-]+)\}/)).output.1.split(separator: ",").map(String.init)
            #expect(catalog.isSubset(of: copied), "deploy/\(host) does not install \(catalog.subtracting(copied).sorted())")
        }
    }
}

/// Every setting the code reads is in README's Configuration table, and the example settings
/// file lists exactly that table.
@Suite struct SettingsDocumentationTests {
    /// Set by Leadwire itself for the processes it starts, never by an operator.
    static let internalVariables: Set = ["LEADWIRE_FASTCGI_PARENT_PID", "LEADWIRE_REPLAY_OF"]

    @Test func everySettingIsDocumentedOnceAndInTheExampleFile() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var used = Set<String>()
        for folder in ["Shared", "runtime"] {
            let files = FileManager.default.enumerator(at: root.appending(path: folder), includingPropertiesForKeys: nil)
            while let file = files?.nextObject() as? URL {
                guard file.pathExtension == "swift" else { continue }
                let text = try String(contentsOf: file, encoding: .utf8)
                used.formUnion(text.matches(of: /"(LEADWIRE_[A-Z_]+)"/).map { String($0.output.1) })
            }
        }
        // The sender settings are built from each webhook's prefix (`SenderAccess`).
        used.formUnion(Catalog.functions.flatMap(\.settings))
        let readme = try String(contentsOf: root.appending(path: "README.md"), encoding: .utf8)
        let documented = readme.matches(of: /\n\| `(LEADWIRE_[A-Z_]+)`/).map { String($0.output.1) }
        let example = try String(contentsOf: root.appending(path: "deploy/leadwire.env.example"), encoding: .utf8)
        let listed = example.matches(of: /\n# (LEADWIRE_[A-Z_]+)=/).map { String($0.output.1) }
        #expect(used.subtracting(Self.internalVariables).subtracting(documented).isEmpty, "read by the code but not in README")
        #expect(Set(documented).subtracting(used).isEmpty, "in README but read by no code")
        #expect(documented.count == Set(documented).count, "a setting documented twice")
        #expect(listed == documented, "deploy/leadwire.env.example and README's table differ")
    }
}
