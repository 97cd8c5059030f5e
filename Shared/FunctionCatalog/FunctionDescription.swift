/// What one function is: the executable's name, the routes a host sends to it, and how callers
/// authenticate. The runtime's router, the generated web-server configs and `runtime functions`
/// all read these, so a route is declared once.
public struct FunctionDescription: Sendable {
    public let name: String
    public let summary: String
    public let routes: [Route]
    /// Methods the function answers; anything else gets 405 from the function itself, so the
    /// behaviour is the same behind every host.
    public let methods: [String]
    public let authentication: Authentication
    /// For an inbound webhook: the `source` its log rows carry, so a stored event can be sent to
    /// it again (replay).
    public let logSource: String?

    public init(name: String, summary: String, routes: [Route], methods: [String], authentication: Authentication, logSource: String? = nil) {
        self.name = name
        self.summary = summary
        self.routes = routes
        self.methods = methods
        self.authentication = authentication
        self.logSource = logSource
    }
}

/// A URL path a host maps to a function. The request path must equal it or continue below it
/// (`/api/admin/webhook-logs/42`): the route becomes SCRIPT_NAME, the rest PATH_INFO, as a CGI
/// host sets them.
public struct Route: Sendable, Equatable {
    public let path: String

    public init(_ path: String) { self.path = path }

    /// The PATH_INFO for `requestPath` when this route serves it, or nil.
    public func pathInfo(for requestPath: String) -> String? {
        if requestPath == path { return "" }
        let rest = requestPath.dropFirst(path.count)
        guard requestPath.hasPrefix(path), rest.hasPrefix("/") else { return nil }
        return String(rest)
    }
}

public enum Authentication: Sendable, Equatable {
    /// A shared secret in `?token=` or a header, required when the named variable is set.
    case optionalWebhookToken(environmentVariable: String)
    /// `Authorization: Bearer <admin key>`, with the scope each route needs.
    case adminKey
    /// Signed by its sender, as described (the Salesbot's token).
    case signed(String)
    /// Open to anyone (the health check, which tells nothing private).
    case none
}
