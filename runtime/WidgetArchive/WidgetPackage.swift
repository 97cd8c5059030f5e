import Foundation

/// The Kommo widget archive: the files of the repository's `widget/` folder with the
/// deployment's addresses written into them. Kommo takes the zip at Settings → Integrations →
/// Create integration; its Salesbot step then posts to `requestURL`.
struct WidgetPackage {
    /// Where the Salesbot step posts, and the deployment's own address (the widget's support link).
    let requestURL: String
    let baseURL: String

    static let requestURLPlaceholder = "__LEADWIRE_WIDGET_REQUEST_URL__"
    static let baseURLPlaceholder = "__LEADWIRE_BASE_URL__"
    /// The files Kommo requires at the archive's root, and the logos in the sizes it documents.
    static let requiredFiles = ["manifest.json", "script.js"]
    static let images = ["logo.png": (130, 100), "logo_main.png": (400, 272), "logo_medium.png": (240, 84), "logo_min.png": (84, 84), "logo_small.png": (108, 108)]

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// From what the operator typed: the deployment's https address (`https://leads.example.com`,
    /// or with a path prefix), or widget-request's own address; a quote, a space, a query or a
    /// fragment is refused, since the address is written into JavaScript and JSON as it is.
    init(url typed: String) throws(Failure) {
        var url = typed
        while url.hasSuffix("/") { url.removeLast() }
        guard let components = URLComponents(string: url), components.scheme?.lowercased() == "https", let host = components.host, !host.isEmpty else {
            throw Failure(description: "--url must be your deployment's https address, for example https://leads.example.com (Kommo calls it from the internet), not '\(typed)'.")
        }
        guard components.query == nil, components.fragment == nil, components.user == nil,
            url.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 0x20 && $0.value < 0x7F && !"'\"\\<>`{}|^".unicodeScalars.contains($0) })
        else {
            throw Failure(description: "--url may not carry a query, a fragment, credentials, spaces or quotes: '\(typed)'.")
        }
        if url.hasSuffix("/widget-request") {
            requestURL = url
            baseURL = String(url.dropLast("/widget-request".count))
        } else {
            requestURL = url + "/widget-request"
            baseURL = url
        }
    }

    /// Every file under `folder` (hidden ones left out), in path order, the addresses written in.
    func files(from folder: URL) throws -> [(path: String, contents: [UInt8])] {
        let root = folder.resolvingSymlinksInPath().standardizedFileURL.path
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root, isDirectory: &isFolder), isFolder.boolValue,
            let walker = FileManager.default.enumerator(atPath: root)
        else {
            throw Failure(description: "No widget folder at \(root): run this in a Leadwire checkout, or pass --from with the folder.")
        }
        var paths: [String] = []
        while let path = walker.nextObject() as? String {
            let isHidden = path.split(separator: "/").contains { $0.hasPrefix(".") }
            var isDirectory: ObjCBool = false
            if !isHidden, FileManager.default.fileExists(atPath: root + "/" + path, isDirectory: &isDirectory), !isDirectory.boolValue { paths.append(path) }
        }
        for required in Self.requiredFiles + Self.images.keys.map({ "images/" + $0 }) where !paths.contains(required) {
            throw Failure(description: "\(root) has no \(required): a Kommo widget needs it.")
        }
        return try paths.sorted().map { path in
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: root + "/" + path)))
            return (path, path.hasSuffix(".js") || path.hasSuffix(".json") ? try filledIn(bytes, path: path) : bytes)
        }
    }

    private func filledIn(_ bytes: [UInt8], path: String) throws(Failure) -> [UInt8] {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Failure(description: "\(path) is not UTF-8 text.") }
        if path == "script.js", !text.contains(Self.requestURLPlaceholder) {
            throw Failure(description: "script.js has no \(Self.requestURLPlaceholder) to write widget-request's address into.")
        }
        return Array(text.replacingOccurrences(of: Self.requestURLPlaceholder, with: requestURL).replacingOccurrences(of: Self.baseURLPlaceholder, with: baseURL).utf8)
    }

    /// The zip Kommo uploads: the files at its root.
    func archive(from folder: URL) throws -> [UInt8] {
        var zip = ZipWriter()
        for file in try files(from: folder) { try zip.add(file.path, file.contents) }
        return zip.bytes
    }
}
