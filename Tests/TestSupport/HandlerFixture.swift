import Foundation
import Synchronization
public import FunctionKit
public import HTTPTypes
public import LeadwireStore

/// A fresh store (`TestStore`) and one function's handler, called in-process as a host would call it.
public struct HandlerFixture: Sendable {
    public let databasePath: String
    /// The LEADWIRE_* settings naming the store (a SQLite file, or a PostgreSQL schema).
    public let storeSettings: [String: String]
    public var environment: [String: String]
    public var clock: @Sendable () -> Timestamp = Timestamp.now
    let handler: Handler
    let path: String
    /// Every log line the handler wrote, in order.
    public let log = LogLines()

    /// Another function on the same database and settings, e.g. to fill it with webhooks.
    public func sharing(path: String, handler: @escaping Handler) -> HandlerFixture {
        HandlerFixture(databasePath: databasePath, storeSettings: storeSettings, environment: environment, clock: clock, handler: handler, path: path)
    }

    private init(
        databasePath: String, storeSettings: [String: String], environment: [String: String], clock: @escaping @Sendable () -> Timestamp, handler: @escaping Handler,
        path: String
    ) {
        self.databasePath = databasePath
        self.storeSettings = storeSettings
        self.environment = environment
        self.clock = clock
        self.handler = handler
        self.path = path
    }

    public init(path: String, settings: [String: String] = [:], handler: @escaping Handler) {
        let folder = FileManager.default.temporaryDirectory.appending(path: "handler-tests-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        databasePath = folder.appending(path: "leadwire.sqlite3").path
        storeSettings = TestStore.fresh(in: folder)
        environment = TestSettings.patientDeadline.merging(settings) { $1 }.merging(storeSettings) { $1 }
        self.handler = handler
        self.path = path
    }

    /// Sends a request and returns the response, errors included, as the caller would see it.
    /// `bytes`, when given, is the body instead of `body` (for bodies that are not text).
    @discardableResult
    public func send(
        _ body: String, bytes: [UInt8]? = nil, contentType: String? = "application/x-www-form-urlencoded", method: HTTPRequest.Method = .post,
        path: String? = nil, query: String = "", headers extra: [(String, String)] = [], bodyLimitExceeded: BodyLimitExceeded? = nil,
        remoteAddress: String = "127.0.0.1", in process: FunctionContext? = nil
    ) -> Response {
        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        for (name, value) in extra { headers.append(HTTPField(name: HTTPField.Name(name)!, value: value)) }
        let request = Request(
            method: method, path: path ?? self.path, query: QueryParameters(queryString: query), headers: headers,
            body: bodyLimitExceeded == nil ? bytes ?? Array(body.utf8) : [], bodyLimitExceeded: bodyLimitExceeded, remoteAddress: remoteAddress)
        let context = process ?? keptProcess()
        var response = FunctionMain.respond(context: context, handler: handler) { _ in request }
        // A streaming body is produced here, as the host would while sending it.
        if let streaming = response.streamingBody {
            response.streamingBody = nil
            do {
                response.body = try streaming.collect()
            } catch {
                fatalError("the streaming body failed: \(error)")
            }
        }
        return response
    }

    /// A context whose resources (the store connection) outlive a request, as in a FastCGI
    /// process: pass it to `send(in:)` for each request the process answers. Without it, each
    /// request gets a fresh one, as in CGI.
    public func keptProcess() -> FunctionContext {
        FunctionContext(
            functionName: "test", environment: Environment(environment), logger: Logger(function: "test", sink: { [log] line in log.append(line); Self.logSink(line) }), clock: clock)
    }

    /// The handler's log lines go nowhere, or to stderr when LEADWIRE_TEST_LOG is set (to see why
    /// a handler answered as it did).
    @Sendable static func logSink(_ line: String) {
        guard ProcessInfo.processInfo.environment["LEADWIRE_TEST_LOG"] != nil else { return }
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    public func database() throws -> Database { try TestStore.open(storeSettings) }

    /// The rows of a query as dictionaries keyed by column name (`SELECT a, b AS c` → "a", "c").
    /// For plain column lists: names are read from the SQL text, split on commas.
    public func rows(_ sql: String, _ parameters: [SQLValue] = []) throws -> [[String: SQLValue]] {
        let names = Self.columnNames(sql)
        return try database().query(sql, parameters).map { Dictionary(uniqueKeysWithValues: zip(names, $0.values)) }
    }

    public func count(_ sql: String) throws -> Int64 {
        try database().queryRow(sql)?[0].integer ?? -1
    }

    private static func columnNames(_ sql: String) -> [String] {
        guard let select = sql.range(of: "SELECT "), let from = sql.range(of: " FROM ") else { return [] }
        return sql[select.upperBound..<from.lowerBound].split(separator: ",").map { column in
            let words = column.split(separator: " ")
            return String(words.last ?? "")
        }
    }
}

extension Response {
    /// The body parsed as JSON.
    public var json: JSONValue { try! JSONValue(parsing: body) }
}

/// Form fields as a CRM sends them: `name=value` pairs, percent-encoded, brackets included.
public func formBody(_ pairs: [(String, String)]) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return pairs.map { pair in
        [pair.0, pair.1].map { $0.addingPercentEncoding(withAllowedCharacters: allowed)!.replacingOccurrences(of: "%20", with: "+") }
            .joined(separator: "=")
    }.joined(separator: "&")
}

/// Log lines collected as a handler writes them.
public final class LogLines: Sendable {
    private let storage = Mutex<[String]>([])

    public init() {}

    func append(_ line: String) { storage.withLock { $0.append(line) } }

    public var lines: [String] { storage.withLock { $0 } }

    /// Whether a line of event `event` contains `text`.
    public func contains(event: String, _ text: String) -> Bool {
        lines.contains { $0.contains(#""event":"\#(event)""#) && $0.contains(text) }
    }
}
