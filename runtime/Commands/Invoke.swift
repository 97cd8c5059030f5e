import ArgumentParser
import Foundation
import FunctionCatalog
import FunctionKit
import HTTPTypes
import NIOCore

struct Invoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one function once, with the request body from stdin, and print its CGI response.",
        discussion: "Exits 0 for a 1xx-3xx answer and 1 for 4xx or 5xx, so scripts can check it.")

    @Argument(help: "The function's name, e.g. kommo-webhook.")
    var name: String

    @Option(help: "HTTP method.")
    var method: String = "POST"

    @Option(help: "Request path (default: the function's first route). A query string may follow `?`.")
    var path: String?

    @Option(name: .customLong("header"), help: "A request header, `Name: value`; repeat for more.")
    var headers: [String] = []

    @OptionGroup var options: RuntimeOptions
    @OptionGroup var functions: FunctionsOptions

    func run() async throws {
        guard let function = Catalog.function(named: name) else {
            throw CommandFailure("No function named \(name). Known: \(Catalog.functions.map(\.name).joined(separator: ", ")).")
        }
        let target = path ?? function.routes[0].path
        let (pathPart, query) = target.split(separator: "?", maxSplits: 1).map(String.init).splitFirst
        guard let match = Catalog.route(pathPart), match.function.name == name else {
            throw CommandFailure("\(pathPart) is not a route of \(name).")
        }
        var fields = HTTPFields()
        for header in headers {
            let parts = header.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, let fieldName = HTTPField.Name(parts[0]) else {
                throw CommandFailure("--header takes `Name: value`, got \(header).")
            }
            fields.append(HTTPField(name: fieldName, value: parts[1]))
        }
        let body = Array(FileHandle.standardInput.readDataToEndOfFile())
        _ = try options.migrate()
        // One request from this machine's own stdin: as open as `serve` on loopback.
        var settings = options.functionSettings().merging(options.developmentKey) { $1 }
        _ = DevelopmentIntake.open(&settings, listeningOn: "127.0.0.1")
        let host = CGIFunctionHost(
            functionsDirectory: functions.functionsDirectory(environment: options.environment), settings: settings, timeout: try options.functionTimeout(),
            slots: ProcessSlots(limit: 1, maxQueued: 0, maxWait: .zero))
        let request = FunctionRequest(
            method: method.uppercased(), query: query ?? "", headers: fields, body: .bytes(body), remoteAddress: "127.0.0.1", serverPort: 0)
        var status = 0
        try await host.invoke(match, request) { answer in
            status = answer.status.code
            var head = "Status: \(answer.status.code) \(answer.status.reasonPhrase)\n"
            for field in answer.headers { head += "\(field.name.rawName): \(field.value)\n" }
            FileHandle.standardOutput.write(Data((head + "\n").utf8))
            while let chunk = try await answer.nextChunk() {
                FileHandle.standardOutput.write(Data(chunk.readableBytesView))
            }
        }
        if status >= 400 { throw ExitCode(1) }
    }
}

extension Array where Element == String {
    fileprivate var splitFirst: (String, String?) { (self.first ?? "", self.count > 1 ? self[1] : nil) }
}
