import FunctionCatalog
import HTTPTypes

/// The meta-variables a CGI/1.1 host (RFC 3875 §4.1) gives a script for one request.
struct CGIEnvironment {
    var method: String
    var match: RouteMatch
    var query: String
    var headers: HTTPFields
    var contentLength: Int?
    var remoteAddress: String
    var serverPort: Int
    /// Settings passed through from the runtime's own environment (LEADWIRE_*, PATH, TZ, ...);
    /// the function gets only the LEADWIRE_* settings it reads.
    var settings: [String: String]

    var variables: [String: String] {
        var variables = match.function.environment(from: settings)
        variables["GATEWAY_INTERFACE"] = "CGI/1.1"
        variables["SERVER_PROTOCOL"] = "HTTP/1.1"
        variables["SERVER_SOFTWARE"] = "leadwire-runtime"
        variables["SERVER_NAME"] = "127.0.0.1"
        variables["SERVER_PORT"] = String(serverPort)
        variables["REQUEST_METHOD"] = method
        variables["SCRIPT_NAME"] = match.scriptName
        variables["PATH_INFO"] = match.pathInfo
        variables["QUERY_STRING"] = query
        variables["REMOTE_ADDR"] = remoteAddress
        if let contentLength { variables["CONTENT_LENGTH"] = String(contentLength) }
        for field in headers {
            let name = field.name.canonicalName
            if name == "content-length" { continue }
            if name == "content-type" {
                variables["CONTENT_TYPE"] = field.value
                continue
            }
            // Repeated headers are joined into one variable, as RFC 3875 §4.1.18 says.
            let variable = "HTTP_" + name.uppercased().replacing("-", with: "_")
            variables[variable] = variables[variable].map { "\($0), \(field.value)" } ?? field.value
        }
        return variables
    }
}
