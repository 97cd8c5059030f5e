import ArgumentParser
import FunctionCatalog

struct Functions: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List every function: its routes, methods, authentication and what it does.")

    func run() {
        for function in Catalog.functions {
            print(function.name)
            print("  routes:  \(function.routes.map(\.path).joined(separator: ", "))")
            print("  methods: \(function.methods.joined(separator: ", "))")
            print("  auth:    \(describe(function.authentication))")
            print("  \(function.summary)")
        }
    }

    private func describe(_ authentication: Authentication) -> String {
        switch authentication {
        case .webhook(let access):
            "one of \(access.authenticators.joined(separator: ", ")); closed until one is set\(access.openAccess.map { " (or \($0)=none)" } ?? "")"
        case .adminKey: "Authorization: Bearer <admin key>"
        case .signed(let how, _): how
        case .none: "none"
        }
    }
}
