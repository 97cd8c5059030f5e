public import FunctionKit
import HTTPTypes

/// CORS for the admin and read APIs, so a frontend on another origin (a dashboard, a Retool
/// panel) can call them from a browser. Only origins listed in `LEADWIRE_CORS_ORIGINS` get the
/// headers that let the browser read an answer; any other origin gets none, so its page is
/// blocked. Keys travel in `Authorization`, never in cookies, so no answer allows credentials,
/// and an allowed origin is named, never `*`.
public struct CrossOrigin: Sendable {
    public static let setting = "LEADWIRE_CORS_ORIGINS"
    /// What a preflight may ask for: every method the admin APIs answer, and the headers a key
    /// and a JSON body travel in.
    static let methods = "GET, HEAD, POST, PATCH, DELETE"
    static let requestHeaders = "Authorization, apikey, Content-Type"
    /// Headers a page may read besides the simple ones: the request's id and when to retry.
    static let exposedHeaders = "X-Request-ID, Retry-After, X-Leadwire-Version"

    let origins: Set<String>

    /// The origins `LEADWIRE_CORS_ORIGINS` lists (comma- or space-separated), each a scheme and
    /// host with an optional port, as a browser sends it in `Origin`.
    public init(_ environment: Environment) throws(ConfigurationError) {
        var origins = Set<String>()
        let text = environment[Self.setting] ?? ""
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) {
            origins.insert(try Self.origin(String(entry)))
        }
        self.origins = origins
    }

    /// An origin as the browser spells it: `https://app.example.com` or `http://localhost:5173`,
    /// lower-case, with no path, and no default port.
    static func origin(_ entry: String) throws(ConfigurationError) -> String {
        let refused = ConfigurationError(
            message: "\(setting) lists \"\(entry.prefix(80))\"; each entry must be an origin such as https://app.example.com or http://localhost:5173 (a scheme and host, an optional port, no path, no *).")
        let lowered = entry.lowercased()
        let scheme = lowered.hasPrefix("https://") ? "https" : lowered.hasPrefix("http://") ? "http" : ""
        let authority = lowered.dropFirst(scheme.count + 3)
        guard !scheme.isEmpty, !authority.isEmpty,
            authority.allSatisfy({ $0.isLetter || $0.isNumber || "-.:[]".contains($0) }), authority.first != ":"
        else { throw refused }
        let defaultPort = scheme == "https" ? ":443" : ":80"
        return scheme + "://" + (authority.hasSuffix(defaultPort) ? String(authority.dropLast(defaultPort.count)) : String(authority))
    }

    func allows(_ origin: String) -> Bool { (try? Self.origin(origin)).map(origins.contains) ?? false }

    /// A preflight (`OPTIONS` with `Access-Control-Request-Method`) is answered here: 204 with
    /// what may be sent for a listed origin, 403 without any CORS header otherwise. Any other
    /// request runs `handler`, and a listed origin may read its answer, errors included.
    public func around(_ request: Request, _ handler: () throws -> Response) throws -> Response {
        let origin = request.headers[.origin]
        if request.method == .options, request.headers[.accessControlRequestMethod] != nil {
            guard let origin, allows(origin) else {
                throw HTTPError(.forbidden, code: .originNotAllowed, message: "This origin may not call the API; list it in \(Self.setting).")
            }
            var response = Response(status: .noContent)
            response.headers[.accessControlAllowMethods] = Self.methods
            response.headers[.accessControlAllowHeaders] = Self.requestHeaders
            response.headers[.accessControlMaxAge] = "600"
            allow(origin, in: &response.headers)
            return response
        }
        guard let origin, allows(origin) else {
            // The answer depends on Origin whenever CORS is on: a cache must not give one
            // origin's answer to another.
            return try varyingByOrigin(handler)
        }
        do {
            var response = try handler()
            allow(origin, in: &response.headers)
            return response
        } catch var error as HTTPError {
            allow(origin, in: &error.headers)
            throw error
        }
    }

    private func varyingByOrigin(_ handler: () throws -> Response) throws -> Response {
        guard !origins.isEmpty else { return try handler() }
        do {
            var response = try handler()
            response.headers[.vary] = "Origin"
            return response
        } catch var error as HTTPError {
            error.headers[.vary] = "Origin"
            throw error
        }
    }

    private func allow(_ origin: String, in headers: inout HTTPFields) {
        headers[.accessControlAllowOrigin] = origin
        headers[.accessControlExposeHeaders] = Self.exposedHeaders
        headers[.vary] = "Origin"
    }
}
