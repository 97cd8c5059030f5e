import Foundation

/// A stand-in for a remote service, written in Python's standard library: started on a free
/// port of 127.0.0.1 with a folder of its own (for the files it reads and writes, and its log),
/// and ready once it prints "ready". It stops with the value.
final class PythonStandIn {
    let folder: URL
    let port: Int
    private let process: ServerProcess

    init(_ name: String, script: String, scratch: Scratch) async throws {
        folder = scratch.folder.appending(path: name)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appending(path: name + ".py")
        try Data(script.utf8).write(to: file)
        port = try freePort()
        process = try ServerProcess(
            executable: URL(fileURLWithPath: "/usr/bin/python3"), arguments: [file.path, String(port), folder.path],
            environment: ["PATH": "/usr/bin:/bin"], log: folder.appending(path: name + ".log"))
        _ = try await process.waitForLog(containing: "ready")
    }

    /// The lines of a JSON-lines file it wrote, decoded.
    func records(_ file: String) -> [[String: Any]] {
        let text = (try? String(contentsOf: folder.appending(path: file), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
    }
}
