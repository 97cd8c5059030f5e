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
