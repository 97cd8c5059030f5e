public import FunctionKit
import FunctionStore
public import LeadwireStore

/// What became of an inbound webhook, as its log row records it.
public enum Arrival<Processed> {
    /// The body parsed and processing ran; per-event problems are inside `Processed`.
    case processed(body: JSONValue, Processed)
    /// The body parsed but processing threw: its writes were undone, the event is kept for a replay.
    case failed(body: JSONValue, reason: String)
    /// The body could not be read as JSON or form fields (400, 413, 415): kept raw, answered 4xx.
    case refused(HTTPError)
}

/// The "durable first" rule every inbound webhook follows:
///
/// 1. A body that cannot be read is refused with a 4xx, and the refusal and the raw body are
///    still logged, so nothing that reached the function is lost.
/// 2. Otherwise processing runs inside a savepoint, and the log row is written in the same
///    transaction. If processing throws, only its own writes are undone. (On PostgreSQL the
///    savepoint's last writes travel with `COMMIT`; when one of them fails there, the whole
///    transaction is redone as a processing failure, so the outcome is the same.)
/// 3. The answer is built once that transaction commits, so 2xx always means "stored". Only a
///    store that cannot take the write answers 503, so the sender retries. A content problem
///    never becomes a 5xx, because CRMs switch off webhooks that keep failing.
public struct DurableIntake<Processed> {
    /// A log row's id as the answer names it, readable once the row's transaction committed.
    public typealias LogID = () throws -> String

    /// Applies the event's content to the store.
    public var process: (JSONValue, Database) throws -> Processed
    /// Writes the log row(s) for an arrival and returns how to read the id the answer names,
    /// once the transaction committed: on PostgreSQL a generated id arrives with the commit.
    public var record: (Arrival<Processed>, Request, Database) throws -> LogID
    /// The answer for a stored arrival (processed or failed); refusals answer with their error.
    public var respond: (Arrival<Processed>, String) -> Response

    public init(
        process: @escaping (JSONValue, Database) throws -> Processed,
        record: @escaping (Arrival<Processed>, Request, Database) throws -> LogID,
        respond: @escaping (Arrival<Processed>, String) -> Response
    ) {
        self.process = process
        self.record = record
        self.respond = respond
    }

    public func receive(_ request: Request, context: FunctionContext, accepting formats: [BodyFormat] = [.json, .form]) throws
        -> Response
    {
        let settings = try FunctionSettings(context.environment)
        let body: JSONValue
        do {
            body = try request.decodedBody(accepting: formats, limits: settings.bodyLimits)
        } catch {
            recordRefusal(error, of: request, context: context)
            throw error
        }

        let deadline = request.receivedAt + settings.webhookDeadline
        let database = try context.openStore()
        do {
            do {
                return try store(request, deadline: deadline, in: database) {
                    do {
                        return .processed(body: body, try database.savepoint(endingWithCommit: true) { try process(body, database) })
                    } catch {
                        return failed(body, error, context: context)
                    }
                }
            } catch let late as SavepointFailedAtCommit {
                // Processing's last writes failed only with the commit, which took the log row
                // with them: the event is stored again, as a processing failure.
                let arrival = failed(body, late.cause, context: context)
                return try store(request, deadline: deadline, in: database) { arrival }
            }
        } catch {
            context.logger.error("store_failed", ["message": .string(String(describing: error))])
            throw HTTPError.serviceUnavailable("The event could not be stored in time; nothing was kept, retry later.")
        }
    }

    /// One transaction: the arrival (processed in it, or not), its log row, then the answer
    /// once it committed.
    private func store(_ request: Request, deadline: ContinuousClock.Instant, in database: Database, _ arrive: () -> Arrival<Processed>)
        throws -> Response
    {
        let answer = try database.transaction(deadline: deadline) { () throws -> () throws -> Response in
            let arrival = arrive()
            let logID = try record(arrival, request, database)
            return { respond(arrival, try logID()) }
        }
        return try answer()
    }

    private func failed(_ body: JSONValue, _ error: any Error, context: FunctionContext) -> Arrival<Processed> {
        context.logger.error("processing_failed", ["message": .string(String(describing: error))])
        return .failed(body: body, reason: "processing failed: \(error)")
    }

    /// If even the refusal cannot be logged, the refusal still stands: the sender gets the 4xx
    /// that explains its mistake, and stderr gets the store failure.
    private func recordRefusal(_ error: HTTPError, of request: Request, context: FunctionContext) {
        do {
            let database = try context.openStore()
            _ = try database.transaction { try record(.refused(error), request, database) }
        } catch {
            context.logger.error("refusal_not_logged", ["message": .string(String(describing: error))])
        }
    }
}
