/// Every `error.code` a Leadwire answer can carry (`{"error":{"code":…,"message":…}}`): a
/// closed set, listed in the OpenAPI document, so a client can switch on it and a new code is a
/// deliberate change here rather than a string typed at the place that fails.
public struct ErrorCode: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    private init(_ rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static let accessDenied = ErrorCode("access_denied")
    public static let accountAmbiguous = ErrorCode("account_ambiguous")
    public static let accountNotAllowed = ErrorCode("account_not_allowed")
    public static let badGateway = ErrorCode("bad_gateway")
    public static let badRequest = ErrorCode("bad_request")
    public static let busy = ErrorCode("busy")
    public static let codeRefused = ErrorCode("code_refused")
    public static let emptyBody = ErrorCode("empty_body")
    public static let forbidden = ErrorCode("forbidden")
    public static let formTooComplex = ErrorCode("form_too_complex")
    public static let functionFailed = ErrorCode("function_failed")
    public static let functionNotBuilt = ErrorCode("function_not_built")
    public static let functionTimeout = ErrorCode("function_timeout")
    public static let functionUnavailable = ErrorCode("function_unavailable")
    public static let gatewayTimeout = ErrorCode("gateway_timeout")
    public static let headersTooLarge = ErrorCode("headers_too_large")
    public static let intakeClosed = ErrorCode("intake_closed")
    public static let internalError = ErrorCode("internal_error")
    public static let invalidForm = ErrorCode("invalid_form")
    public static let invalidJson = ErrorCode("invalid_json")
    public static let invalidParameter = ErrorCode("invalid_parameter")
    public static let invalidReferer = ErrorCode("invalid_referer")
    public static let invalidRequest = ErrorCode("invalid_request")
    public static let invalidReturnUrl = ErrorCode("invalid_return_url")
    public static let invalidState = ErrorCode("invalid_state")
    public static let invalidSubscription = ErrorCode("invalid_subscription")
    public static let invalidToken = ErrorCode("invalid_token")
    public static let jsonSentAsForm = ErrorCode("json_sent_as_form")
    public static let kommoAnswerTooLarge = ErrorCode("kommo_answer_too_large")
    public static let kommoError = ErrorCode("kommo_error")
    public static let kommoUnavailable = ErrorCode("kommo_unavailable")
    public static let kommoUnreachable = ErrorCode("kommo_unreachable")
    public static let kommoUnreadable = ErrorCode("kommo_unreadable")
    public static let lengthRequired = ErrorCode("length_required")
    public static let methodNotAllowed = ErrorCode("method_not_allowed")
    public static let misconfigured = ErrorCode("misconfigured")
    public static let needsReauthorization = ErrorCode("needs_reauthorization")
    public static let notConnected = ErrorCode("not_connected")
    public static let notFound = ErrorCode("not_found")
    public static let notImplemented = ErrorCode("not_implemented")
    public static let notReplayable = ErrorCode("not_replayable")
    public static let originNotAllowed = ErrorCode("origin_not_allowed")
    public static let payloadTooLarge = ErrorCode("payload_too_large")
    public static let rateLimited = ErrorCode("rate_limited")
    public static let replayFailed = ErrorCode("replay_failed")
    public static let replayedFunctionFailed = ErrorCode("replayed_function_failed")
    public static let requestTimeout = ErrorCode("request_timeout")
    public static let senderNotAllowed = ErrorCode("sender_not_allowed")
    public static let signatureRequired = ErrorCode("signature_required")
    public static let storeUnavailable = ErrorCode("store_unavailable")
    public static let truncatedBody = ErrorCode("truncated_body")
    public static let unauthorized = ErrorCode("unauthorized")
    public static let unknownAction = ErrorCode("unknown_action")
    public static let unsupportedMediaType = ErrorCode("unsupported_media_type")
    public static let uriTooLong = ErrorCode("uri_too_long")

    /// Each code, for the OpenAPI document.
    public static let all: [ErrorCode] = [
        .accessDenied,
        .accountAmbiguous,
        .accountNotAllowed,
        .badGateway,
        .badRequest,
        .busy,
        .codeRefused,
        .emptyBody,
        .forbidden,
        .formTooComplex,
        .functionFailed,
        .functionNotBuilt,
        .functionTimeout,
        .functionUnavailable,
        .gatewayTimeout,
        .headersTooLarge,
        .intakeClosed,
        .internalError,
        .invalidForm,
        .invalidJson,
        .invalidParameter,
        .invalidReferer,
        .invalidRequest,
        .invalidReturnUrl,
        .invalidState,
        .invalidSubscription,
        .invalidToken,
        .jsonSentAsForm,
        .kommoAnswerTooLarge,
        .kommoError,
        .kommoUnavailable,
        .kommoUnreachable,
        .kommoUnreadable,
        .lengthRequired,
        .methodNotAllowed,
        .misconfigured,
        .needsReauthorization,
        .notConnected,
        .notFound,
        .notImplemented,
        .notReplayable,
        .originNotAllowed,
        .payloadTooLarge,
        .rateLimited,
        .replayFailed,
        .replayedFunctionFailed,
        .requestTimeout,
        .senderNotAllowed,
        .signatureRequired,
        .storeUnavailable,
        .truncatedBody,
        .unauthorized,
        .unknownAction,
        .unsupportedMediaType,
        .uriTooLong,
    ]
}
