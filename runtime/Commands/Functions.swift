import ArgumentParser
import FunctionCatalog
import Foundation
import FunctionKit

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every function: its routes, what it answers, who may call it and what it does.",
        discussion: """
            --json and --names are for scripts (the benchmarks and the deploy guides read them); --markdown prints \
            README's function table, which scripts/docs writes between README's markers.
            """)

    @Flag(help: "One JSON array: name, summary, routes, endpoints, authentication and settings of each function.")
    var json = false

    @Flag(help: "README's function table.")
    var markdown = false

    @Flag(help: "The functions' names, one a line (the executables to install).")
    var names = false

    func validate() throws {
        if [json, markdown, names].filter({ $0 }).count > 1 { throw ValidationError("Choose one of --json, --markdown and --names.") }
    }

    func run() {
        if names {
            Catalog.functions.forEach { print($0.name) }
        } else if json {
            print(JSONValue.array(Catalog.functions.map(Self.json)).jsonText)
        } else if markdown {
            print(Self.markdownTable)
        } else {
            for function in Catalog.functions {
                print(function.name)
                print("  routes:  \(function.routes.map(\.path).joined(separator: ", "))")
                print("  answers: \(function.endpoints.map(Self.text).joined(separator: ", "))")
                print("  auth:    \(Self.describe(function.authentication))")
                print("  \(function.summary)")
            }
        }
    }

    static func json(_ function: FunctionDescription) -> JSONValue {
        let strings = { (values: [String]) in JSONValue.array(values.map(JSONValue.string)) }
        return .object(
            JSONObject([
                ("name", .string(function.name)), ("summary", .string(function.summary)), ("routes", strings(function.routes.map(\.path))),
                ("endpoints", strings(function.endpoints.map(text))), ("authentication", .string(describe(function.authentication))),
                ("settings", strings(function.settings)),
            ]))
    }

    /// One row per function: its name, its routes with the methods it answers, who may call it
    /// and what it does. A `|` inside a cell is escaped, as Markdown tables need.
    static var markdownTable: String {
        let cell = { (text: String) in text.replacingOccurrences(of: "|", with: "\\|") }
        var lines = ["| function | routes | answers | who may call | what it does |", "|---|---|---|---|---|"]
        for function in Catalog.functions {
            let routes = function.routes.map { "`\($0.path)`" }.joined(separator: ", ")
            let endpoints = function.endpoints.map { "`\(cell(text($0)))`" }.joined(separator: ", ")
            lines.append("| `\(function.name)` | \(routes) | \(endpoints) | \(cell(describe(function.authentication))) | \(cell(function.summary)) |")
        }
        return lines.joined(separator: "\n")
    }

    /// `GET /api/admin/webhook-logs/{id}`, `POST /kommo-oauth?action=api-request|refresh|disconnect`.
    static func text(_ endpoint: Endpoint) -> String {
        "\(endpoint.method) \(endpoint.path)" + (endpoint.query.map { "?" + $0 } ?? "")
    }

    static func describe(_ authentication: Authentication) -> String {
        switch authentication {
        case .webhook(let access):
            "one of \(access.authenticators.joined(separator: ", ")); closed until one is set\(access.openAccess.map { " (or \($0)=none)" } ?? "")"
        case .adminKey: "Authorization: Bearer <admin key>"
        case .signed(let how, _): how
        case .none: "anyone"
        }
    }
}
