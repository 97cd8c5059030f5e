import FunctionKit

/// The answers a web server makes itself, without a function: a path no function serves, a
/// request it refuses before any function sees it, a function process it cannot reach. Every
/// generated configuration answers these in the same JSON error shape the functions use, so a
/// sender's error handling sees one format whoever answered.
struct HostError {
    let status: Int
    let code: ErrorCode
    let message: String

    /// Plain text without quotes or apostrophes, so it sits in any server's string syntax as is.
    var json: String { #"{"error":{"code":"\#(code.rawValue)","message":"\#(message)"}}"# }

    static let notFound = HostError(status: 404, code: .notFound, message: "No function serves this path.")

    static let all: [HostError] = [
        HostError(status: 400, code: .badRequest, message: "The web server could not read this HTTP request."),
        notFound,
        HostError(status: 408, code: .requestTimeout, message: "The request did not arrive in time."),
        HostError(status: 411, code: .lengthRequired, message: "Send a Content-Length header (Content-Length: 0 when there is no body)."),
        HostError(status: 413, code: .payloadTooLarge, message: "The body is larger than this endpoint accepts (LEADWIRE_MAX_BODY_BYTES)."),
        HostError(status: 414, code: .uriTooLong, message: "The URL is longer than the web server accepts."),
        HostError(status: 431, code: .headersTooLarge, message: "The request headers are larger than the web server accepts."),
        HostError(status: 500, code: .internalError, message: "The web server could not run the function; see its error log."),
        HostError(status: 501, code: .notImplemented, message: "The web server does not support this method or transfer coding."),
        HostError(status: 502, code: .badGateway, message: "The function process failed to answer; see the web server error log."),
        HostError(status: 503, code: .functionUnavailable, message: "The function processes are not running or are all busy; retry shortly."),
        HostError(status: 504, code: .gatewayTimeout, message: "The function did not answer in time."),
    ]
}
