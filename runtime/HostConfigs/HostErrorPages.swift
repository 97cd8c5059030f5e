import Foundation

/// lighttpd cannot write an error body inline as nginx and Apache can: it sends the file
/// `<prefix><status>.html` when one exists. `runtime host-config error-pages` writes those
/// files, one per `HostError`, into the state folder the generated lighttpd configuration names.
struct HostErrorPages {
    let stateDirectory: String

    static func folder(in stateDirectory: String) -> String { stateDirectory + "/error-pages" }

    /// Writes every page (readable by the server's user) and returns their paths.
    func write() throws -> [String] {
        let folder = Self.folder(in: stateDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        return try HostError.all.map { error in
            let path = folder + "/\(error.status).html"
            try Data((error.json + "\n").utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            return path
        }
    }
}
