public import FunctionKit
public import HTTPTypes

/// What every admin answer carries, errors included: it is never stored by a browser or a
/// proxy (logs and exports hold customers' data), and never sniffed as another type; and for an
/// origin `LEADWIRE_CORS_ORIGINS` lists, what lets its page read the answer.
public enum AdminHeaders {
    public static let fields: HTTPFields = [.cacheControl: "no-store", .xContentTypeOptions: "nosniff"]

    /// Runs an admin handler (or answers a CORS preflight) and adds the headers to its answer,
    /// or to the error it throws.
    public static func around(_ request: Request, _ context: FunctionContext, _ handler: () throws -> Response) throws -> Response {
        try around { try CrossOrigin(context.environment).around(request, handler) }
    }

    private static func around(_ handler: () throws -> Response) throws -> Response {
        do {
            var response = try handler()
            for field in fields where response.headers[field.name] == nil { response.headers.append(field) }
            return response
        } catch var error as HTTPError {
            for field in fields { error.headers[field.name] = field.value }
            throw error
        }
    }
}

extension HTTPField.Name {
    public static let xContentTypeOptions = HTTPField.Name("X-Content-Type-Options")!
}
