import HTTPTypes
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What a handler needs besides the request: its name, its settings, a logger and the clock
/// (which tests set, to cross a day boundary or order events).
public struct FunctionContext: Sendable {
    public let functionName: String
    public let environment: Environment
    public let logger: Logger
    public let clock: @Sendable () -> Timestamp

    public init(
        functionName: String, environment: Environment, logger: Logger? = nil,
        clock: @escaping @Sendable () -> Timestamp = Timestamp.now
    ) {
        self.functionName = functionName
        self.environment = environment
        self.logger = logger ?? Logger(function: functionName)
        self.clock = clock
    }
}

/// A function's handler: a plain function from request to response, callable from a test
/// without a process. An `HTTPError` it throws becomes that error's JSON response.
public typealias Handler = @Sendable (Request, FunctionContext) throws -> Response

/// The whole life of one invocation under a CGI host: read the request, run the handler,
/// write the response, log one line, exit.
public enum FunctionMain {
    public static func run(_ name: String, handler: Handler) -> Never {
        let started = Timestamp.now()
        // A reader that goes away mid-stream should fail a write (EPIPE), not kill the process,
        // so a streaming body can record how far it got.
        signal(SIGPIPE, SIG_IGN)
        let context = FunctionContext(functionName: name, environment: .process)
        let response = respond(context: context, handler: handler)
        var completed = true
        do {
            try CGIResponse.write(response)
        } catch {
            completed = false
            context.logger.error("response_incomplete", ["message": .string(String(describing: error))])
        }
        context.logger.info(
            "request",
            [
                "method": .string(context.environment["REQUEST_METHOD"] ?? "GET"),
                "path": .string((context.environment["SCRIPT_NAME"] ?? "") + (context.environment["PATH_INFO"] ?? "")),
                "status": JSONValue(Int64(response.status.code)),
                "duration_ms": JSONValue(Timestamp.millisecondsSince(started)),
            ])
        exit(completed ? 0 : 1)
    }

    /// Runs the handler on the request read from the CGI environment, turning every failure
    /// into a JSON error response.
    static func respond(context: FunctionContext, handler: Handler) -> Response {
        do {
            let settings = try FunctionSettings(context.environment)
            let request = try CGIRequest.read(environment: context.environment, maxBodyBytes: settings.maxBodyBytes)
            return try handler(request, context)
        } catch let error as HTTPError {
            return error.response
        } catch let error as ConfigurationError {
            context.logger.error("configuration_error", ["message": .string(error.message)])
            return HTTPError.internalError("The function is misconfigured: \(error.message)").response
        } catch {
            // Unknown errors may carry internals: the log gets the detail, the caller a generic message.
            context.logger.error("unhandled_error", ["message": .string(String(describing: error))])
            return HTTPError.internalError("The function failed unexpectedly; see its log.").response
        }
    }
}
