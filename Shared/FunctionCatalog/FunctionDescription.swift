/// What one function is: the executable's name, the routes a host sends to it, and how callers
/// authenticate. The runtime's router, the generated web-server configs and `runtime functions`
/// all read these, so a route is declared once.
public struct FunctionDescription: Sendable {
    public let name: String
    public let summary: String
    public let routes: [Route]
    /// What the function answers; any other method gets 405 from the function itself, so the
    /// behaviour is the same behind every host. Each is in the OpenAPI document (a test checks
    /// both ways).
    public let endpoints: [Endpoint]
    public let authentication: Authentication
    /// For an inbound webhook: the `source` its log rows carry, so a stored event can be sent to
    /// it again (replay).
    public let logSource: String?
    /// The LEADWIRE_* settings this function reads besides `Catalog.commonSettings`. A host
    /// gives it these and no others, so one function's secret never reaches another.
    public let settings: [String]
    /// Whether a request only reads its body, writes the store and answers, never waiting on
    /// anything else (another service, a long download). On SQLite one FastCGI process of such
    /// a function serves more than several: their writes take turns on the file's one write
    /// lock anyway, and one process commits the requests that are ready together.
    public let storeBound: Bool

    public init(
        name: String, summary: String, routes: [Route], endpoints: [Endpoint], authentication: Authentication, logSource: String? = nil,
        settings: [String] = [], storeBound: Bool = false
    ) {
        self.name = name
        self.summary = summary
        self.routes = routes
        self.endpoints = endpoints
        self.authentication = authentication
        self.logSource = logSource
        self.settings = (authentication.senderAccess?.settings ?? []) + settings
        self.storeBound = storeBound
    }

    /// Whether this function reads the setting `name` (or takes it from a file, `name_FILE`).
    public func reads(_ name: String) -> Bool {
        let setting = name.hasSuffix("_FILE") ? String(name.dropLast(5)) : name
        return Catalog.commonSettings.contains(setting) || settings.contains(setting)
    }

    /// The part of `environment` this function may see: the settings it reads, and nothing else
    /// of the LEADWIRE_* family.
    public func environment(from environment: [String: String]) -> [String: String] {
        environment.filter { name, _ in !name.hasPrefix("LEADWIRE_") || reads(name) }
    }
}

/// A method on a path a function answers, the path in OpenAPI's template form
/// (`/api/admin/webhook-logs/{id}`) under one of the function's routes. A route no endpoint lies
/// under is another address of the function's first route (an older path CRMs still call) and
/// answers the same. `query` says what the query selects, where it selects the action.
public struct Endpoint: Sendable, Equatable {
    public let method: String
    public let path: String
    public let query: String?

    public init(_ method: String, _ path: String, query: String? = nil) {
        self.method = method
        self.path = path
        self.query = query
    }

    /// The endpoints at every route of `function`, aliases included.
    public static func all(of function: FunctionDescription) -> [Endpoint] {
        function.atEveryRoute(function.endpoints, path: \.path).map { Endpoint($0.item.method, $0.path, query: $0.item.query) }
    }
}

extension FunctionDescription {
    /// `items` (its endpoints, its documented operations: anything with a path under one of its
    /// routes) at every route. A route no item lies under is another address of the first route
    /// and gets the first route's items at its own path; `alias` is that route's index, nil for
    /// an item where it was declared.
    public func atEveryRoute<Item>(_ items: [Item], path: (Item) -> String) -> [(path: String, item: Item, alias: Int?)] {
        let first = routes[0]
        return routes.enumerated().flatMap { index, route -> [(path: String, item: Item, alias: Int?)] in
            let own = items.filter { route.pathInfo(for: path($0)) != nil }
            guard own.isEmpty, index > 0 else { return own.map { (path($0), $0, nil) } }
            return items.filter { first.pathInfo(for: path($0)) != nil }.map { (route.path + path($0).dropFirst(first.path.count), $0, index) }
        }
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
    /// A token, a signature or the sender's address, as `SenderAccess` names them; closed until
    /// one is set or the intake is opened by name.
    case webhook(SenderAccess)
    /// `Authorization: Bearer <admin key>`, with the scope each route needs.
    case adminKey
    /// Signed by its sender, as described (the Salesbot's token), with an optional allowlist
    /// and rate limit.
    case signed(String, SenderAccess)
    /// Open to anyone (the health check, which tells nothing private).
    case none
}

extension Authentication {
    /// Who may send, for a function that takes requests from outside services.
    public var senderAccess: SenderAccess? {
        switch self {
        case .webhook(let access), .signed(_, let access): access
        case .adminKey, .none: nil
        }
    }
}
