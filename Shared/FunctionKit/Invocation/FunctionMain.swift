import HTTPTypes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a handler needs besides the request: its name, its settings, a logger, the clock
/// (which tests set, to cross a day boundary or order events) and what its process keeps
/// between requests.
public struct FunctionContext: Sendable {
    public let functionName: String
    public let environment: Environment
    public private(set) var logger: Logger
    public let clock: @Sendable () -> Timestamp
    public let resources = ProcessResources()

    public init(
        functionName: String, environment: Environment, logger: Logger? = nil,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now
    ) {
        self.functionName = functionName
        self.environment = environment
        self.logger = logger ?? Logger(function: functionName)
        self.clock = clock
    }

    /// The context for one request: its log lines carry the request's id.
    public func handling(request id: String) -> FunctionContext {
        var context = self
        context.logger = logger.about(request: id)
        return context
    }
}

/// A function's handler: a plain function from request to response, callable from a test
/// without a process. An `HTTPError` it throws becomes that error's JSON response.
public typealias Handler = @Sendable (Request, FunctionContext) throws -> Response

/// The whole life of a function process. Under a CGI host: read the request, run the
/// handler, write the response, log one line, exit. When fd 0 is a listening socket, or with
/// `--fastcgi ADDRESS`: the same handler answers request after request as a FastCGI responder.
public enum FunctionMain {
    /// With `groupCommit`, a FastCGI process answers the requests that are ready together as one
    /// group whose writes commit together (see `FastCGIResponder`): for the webhook intakes, whose
    /// handlers only write to the store. A handler that calls another service while it writes
    /// would hold the write lock for the whole group meanwhile, so the others answer one by one.
    public static func run(_ name: String, groupCommit: Bool = false, handler: @escaping Handler) -> Never {
        // A reader that goes away mid-stream should fail a write (EPIPE), not kill the process,
        // so a streaming body can record how far it got.
        signal(SIGPIPE, SIG_IGN)
        let environment: Environment
        do {
            environment = try Environment.process.readableBy(function: name).resolvingSecretFiles()
        } catch {
            answerMisconfigured(name, error)
        }
        let context = FunctionContext(functionName: name, environment: environment, logger: Logger(function: name, sink: logSink(environment)))
        do {
            if let listener = try FastCGIListener.find(arguments: CommandLine.arguments) {
                // A long-lived process with a bad setting stops at once, where a host reports it.
                let settings = try FastCGISettings(context.environment)
                FastCGIResponder(context: context, handler: handler, listener: listener, settings: settings, groupCommit: groupCommit).run()
            }
        } catch {
            context.logger.error("configuration_error", ["message": .string(String(describing: error))])
            exit(2)
        }
        answerOneCGIRequest(context: context, handler: handler)
    }

    /// A setting that stops the function before it can read any request: a FastCGI process
    /// exits (its host reports it); a CGI request gets the 500 that names the setting.
    private static func answerMisconfigured(_ name: String, _ error: ConfigurationError) -> Never {
        let context = FunctionContext(functionName: name, environment: .process, logger: Logger(function: name, sink: logSink(.process)))
        context.logger.error("configuration_error", ["message": .string(error.message)])
        let isFastCGI = (try? FastCGIListener.find(arguments: CommandLine.arguments)) != nil
        if isFastCGI { exit(2) }
        answerOneCGIRequest(context: context) { _, _ in throw error }
    }

    /// Where log lines go: LEADWIRE_LOG_PATH, or stderr (which spawn-fcgi closes, so hosts that
    /// start functions with it set the file).
    private static func logSink(_ environment: Environment) -> @Sendable (String) -> Void {
        environment["LEADWIRE_LOG_PATH"].map(Logger.appending(to:)) ?? Logger.standardError
    }

    private static func answerOneCGIRequest(context processContext: FunctionContext, handler: Handler) -> Never {
        processContext.resources.livesForOneRequest = true
        let started = Timestamp.now()
        let requestID = RequestID.of(processContext.environment)
        let context = processContext.handling(request: requestID)
        var response = respond(context: context, handler: handler) { settings throws(HTTPError) in
            try CGIRequest.read(environment: context.environment, maxBodyBytes: settings.maxBodyBytes)
        }
        response.headers[.requestID] = requestID
        // The request's log line goes out before the answer: a CGI host may end the process as
        // soon as it has the whole answer (lighttpd does), and the line would be lost. For a
        // streamed answer, its time is therefore the time to the first byte.
        logRequest(
            context.logger, meta: context.environment, status: response.status.code, started: started, roundTrips: context.resources.roundTrips)
        do {
            try CGIResponse.write(response)
        } catch {
            context.logger.error("response_incomplete", ["message": .string(String(describing: error))])
            exit(1)
        }
        exit(0)
    }

    /// Runs the handler on the request `readRequest` makes, turning every failure into a JSON
    /// error response. Every host path goes through here, and so do the handler tests.
    /// Every answer, errors included, names the build that made it (`X-Leadwire-Version`).
    public static func respond(
        context: FunctionContext, handler: Handler, readRequest: (FunctionSettings) throws(HTTPError) -> Request
    ) -> Response {
        var response = answer(context: context, handler: handler, readRequest: readRequest)
        response.headers[.leadwireVersion] = LeadwireVersion.string
        return response
    }

    private static func answer(
        context: FunctionContext, handler: Handler, readRequest: (FunctionSettings) throws(HTTPError) -> Request
    ) -> Response {
        do {
            let settings = try FunctionSettings(context.environment)
            return try handler(try readRequest(settings), context)
        } catch let error as HTTPError {
            return error.response
        } catch let error as ConfigurationError {
            context.logger.error("configuration_error", ["message": .string(error.message)])
            return HTTPError.misconfigured.response
        } catch {
            // Unknown errors may carry internals: the log gets the detail, the caller a generic message.
            context.logger.error("unhandled_error", ["message": .string(String(describing: error))])
            return HTTPError.internalError("The function failed unexpectedly; see its log.").response
        }
    }

    /// One line per request, from its CGI meta-variables; `group` is the number of requests
    /// whose writes committed together with this one (see `FastCGIResponder`), `roundTrips`
    /// the round trips it took to the store's server (PostgreSQL; none is left out).
    static func logRequest(_ logger: Logger, meta: Environment, status: Int, started: Timestamp, group: Int? = nil, roundTrips: Int = 0) {
        var fields: [(key: String, value: JSONValue)] = [
            ("method", .string(meta["REQUEST_METHOD"] ?? "GET")),
            ("path", .string((meta["SCRIPT_NAME"] ?? "") + (meta["PATH_INFO"] ?? ""))),
            ("status", JSONValue(Int64(status))),
            ("duration_ms", JSONValue(Timestamp.millisecondsSince(started))),
        ]
        if let group { fields.append(("group", JSONValue(Int64(group)))) }
        if roundTrips > 0 { fields.append(("round_trips", JSONValue(Int64(roundTrips)))) }
        logger.info("request", fields: fields)
    }
}
