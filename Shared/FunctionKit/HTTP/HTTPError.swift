public import HTTPTypes

/// An error a caller can act on: an HTTP status, a stable machine-readable code and a message
/// for people. It renders as `{"error":{"code":"...","message":"..."}}`.
public struct HTTPError: Error, Sendable, Equatable {
    public var status: HTTPResponse.Status
    public var code: ErrorCode
    public var message: String
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, code: ErrorCode, message: String, headers: HTTPFields = HTTPFields()) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var response: Response {
        var response = Response.json(["error": ["code": .string(code.rawValue), "message": .string(message)]], status: status)
        for field in headers { response.headers.append(field) }
        return response
    }
}

extension HTTPError {
    public static func badRequest(_ message: String, code: ErrorCode = .badRequest) -> HTTPError {
        HTTPError(.badRequest, code: code, message: message)
    }

    public static func unauthorized(_ message: String) -> HTTPError {
        HTTPError(.unauthorized, code: .unauthorized, message: message)
    }

    public static func notFound(_ message: String) -> HTTPError {
        HTTPError(.notFound, code: .notFound, message: message)
    }

    public static func methodNotAllowed(allowed: [HTTPRequest.Method]) -> HTTPError {
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        var headers = HTTPFields()
        headers[.allow] = list
        return HTTPError(.methodNotAllowed, code: .methodNotAllowed, message: "Use \(list) for this endpoint.", headers: headers)
    }

    public static func payloadTooLarge(length: Int, limit: Int) -> HTTPError {
        HTTPError(
            .contentTooLarge, code: .payloadTooLarge,
            message: "The body is \(length) bytes; this endpoint accepts at most \(limit) (LEADWIRE_MAX_BODY_BYTES).")
    }

    public static func unsupportedMediaType(_ mediaType: String?, accepted: [String]) -> HTTPError {
        HTTPError(
            .unsupportedMediaType, code: .unsupportedMediaType,
            message: "Content-Type \(mediaType ?? "(none)") is not accepted; send \(accepted.joined(separator: " or ")).")
    }

    /// The store could not take the request (unreachable, or locked past the deadline): nothing
    /// was kept, and the sender is told to retry, and when, as the runtime's own 503s say.
    public static func serviceUnavailable(_ message: String) -> HTTPError {
        HTTPError(.serviceUnavailable, code: .storeUnavailable, message: message, headers: [.retryAfter: "1"])
    }

    public static func internalError(_ message: String) -> HTTPError {
        HTTPError(.internalServerError, code: .internalError, message: message)
    }

    /// A setting the function cannot use. The caller may be anyone, so the answer names no
    /// setting; the function's log line (`configuration_error`) says which and why.
    public static let misconfigured = HTTPError(
        .internalServerError, code: .misconfigured,
        message: "The function is misconfigured; its log (event configuration_error) names the setting to fix.")
}
