import FunctionKit
import HTTPTypes

/// Seed 000's `?action=api-request` body: `{"endpoint": "/api/v4/leads", "method": "GET"}`,
/// optionally `query` (an object of values), `body` (JSON sent as is) and `account` (id or
/// subdomain; needed only when several accounts are connected). Only Kommo's `/api/v4/` API
/// is reachable this way, never its token endpoint or another host.
struct APIRequest {
    let method: HTTPRequest.Method
    /// Path and query, as sent.
    let pathAndQuery: String
    let body: [UInt8]?
    let account: String?

    static let methods: [String: HTTPRequest.Method] = ["GET": .get, "POST": .post, "PATCH": .patch, "PUT": .put, "DELETE": .delete]
    static let maximumEndpointLength = 2048

    init(_ body: JSONValue) throws(HTTPError) {
        guard let endpoint = body["endpoint"]?.text else { throw .badRequest("`endpoint` is required, for example \"/api/v4/leads\".", code: .invalidRequest) }
        guard endpoint.hasPrefix("/api/v4/"), endpoint.utf8.count <= Self.maximumEndpointLength else {
            throw .badRequest("`endpoint` must be a Kommo API path starting with /api/v4/ (at most \(Self.maximumEndpointLength) characters).", code: .invalidRequest)
        }
        // A path that could climb out of /api/v4/ or carry a fragment or spaces is refused, not cleaned.
        let path = endpoint.prefix { $0 != "?" }
        guard !path.contains(".."), !path.contains("//"), !path.contains("%"), endpoint.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") })
        else { throw .badRequest("`endpoint` must be a plain path (no \"..\", \"//\", \"%\", \"#\" or spaces).", code: .invalidRequest) }
        let methodName = (body["method"]?.text ?? "GET").uppercased()
        guard let method = Self.methods[methodName] else {
            throw .badRequest("`method` must be one of GET, POST, PATCH, PUT, DELETE.", code: .invalidRequest)
        }
        var pathAndQuery = endpoint
        switch body["query"] {
        case nil, .null?: break
        case .object(let query)?:
            var pairs: [(String, String)] = []
            for (name, value) in query.members {
                switch value {
                case .string(let text): pairs.append((name, text))
                case .number, .bool: pairs.append((name, value.jsonText))
                default: throw .badRequest("`query.\(name)` must be a string, number or boolean.", code: .invalidRequest)
                }
            }
            if !pairs.isEmpty { pathAndQuery += (endpoint.contains("?") ? "&" : "?") + URLEncoding.query(pairs) }
        default: throw .badRequest("`query` must be an object of parameters.", code: .invalidRequest)
        }
        self.method = method
        self.pathAndQuery = pathAndQuery
        self.body = body["body"].flatMap { $0 == .null ? nil : Array($0.jsonText.utf8) }
        account = body["account"]?.text ?? body["account"]?.int64.map { String($0) }
    }
}
