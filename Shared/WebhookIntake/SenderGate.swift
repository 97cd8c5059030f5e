public import FunctionCatalog
public import FunctionKit
import HTTPTypes

/// What every function that takes requests from outside services checks before it reads a
/// body, in this order: the sender's address (403), its rate (429), then that it is
/// authenticated at all (401). Nothing is stored for a request refused here. A replay skips
/// every check: the admin key that asked for it was checked.
public struct SenderGate: Sendable {
    public let function: String
    public let access: SenderAccess

    public init(function: String, access: SenderAccess) {
        self.function = function
        self.access = access
    }

    /// Throws the refusal, or returns once the sender may go on (to the token check, then the body).
    public func admit(_ request: Request, context: FunctionContext) throws {
        let environment = context.environment
        guard !environment.isReplay else { return }
        try SenderAllowlist(environment, variable: access.allowedIPs).verify(request, logger: context.logger)
        try SenderRateLimit(environment, variable: access.rateLimit, function: function).admit(request, context: context, now: context.clock())
        try requireAuthentication(request, context: context)
        if let token = access.token { try WebhookToken(environment, variable: token).verify(request) }
    }

    /// A webhook with nothing that authenticates its senders refuses them, unless opened by name.
    private func requireAuthentication(_ request: Request, context: FunctionContext) throws {
        let environment = context.environment
        guard let openAccess = access.openAccess, !access.authenticates(environment.values) else { return }
        switch environment[openAccess]?.lowercased() {
        case "none"?: return
        case nil: break
        case let other?: throw ConfigurationError(message: "\(openAccess) takes only `none` (to accept unauthenticated requests); got \"\(other)\".")
        }
        context.logger.error("intake_closed", ["remote_addr": JSONValue(request.remoteAddress), "function": .string(function)])
        throw HTTPError(.unauthorized, code: .intakeClosed, message: access.howToAuthenticate(function))
    }
}
