import FunctionKit
import FunctionStore
import HTTPTypes
import Knowlarity
import LeadwireStore
import Outbound
import OutboundHTTP
import OutboundURLCheck

/// Seed 003's safety net for lost hooks: reads Knowlarity's call log
/// (`GET {base}/account/calllog?start_time=…&end_time=…&limit=…&offset=…`, with `x-api-key` and
/// the raw SR key as `Authorization`) and sends every call it has not stored yet through the
/// same processing as the hook: a call seen by both is one call, one lead, counted once.
/// Each pass reads from where the last one ended, minus an overlap for calls that enter the
/// log late, and follows `meta.next` page by page; only a pass that read every page moves the
/// cursor, so a failed one is read again.
final class KnowlarityPoller: Poller {
    let settings: KnowlarityPollSettings
    let client: HTTPClient
    /// The functions' settings and store: the hook's processing runs with them.
    let context: FunctionContext
    static let cursorName = "knowlarity"

    enum Failure: Error, CustomStringConvertible {
        /// 401 or 403: the keys are wrong; retrying will not help until they change.
        case refused(status: Int)
        case broken(String)

        var description: String {
            switch self {
            case .refused(let status):
                "Knowlarity refused the keys (HTTP \(status)): check LEADWIRE_KNOWLARITY_API_KEY and LEADWIRE_KNOWLARITY_SR_KEY."
            case .broken(let reason): "The call log could not be read: \(reason)."
            }
        }
    }

    struct Pass: PollReport {
        var calls = 0
        var stored = 0
        var pages = 0

        var fields: [(String, Int)] { [("calls", calls), ("stored", stored), ("pages", pages)] }
    }

    var description: String { "the Knowlarity poller" }
    var intervalSeconds: Int { settings.intervalSeconds }

    init(settings: KnowlarityPollSettings, client: HTTPClient, context: FunctionContext) {
        self.settings = settings
        self.client = client
        self.context = context
    }

    /// One pass over the log up to `now`.
    func pass(now: Timestamp = .now()) async throws -> Pass {
        let database = try context.openStore()
        let end = now.secondsSince1970
        let cursor = try database.queryRow("SELECT polled_until FROM poll_cursors WHERE name = ?", [.text(Self.cursorName)])?[0].text
            .flatMap { ISO8601Time.microseconds($0) }.map { $0 / 1_000_000 }
        let start = (cursor ?? end - Int64(settings.intervalSeconds)) - Int64(settings.overlapSeconds)
        var pass = Pass()
        var offset = 0
        while pass.pages < KnowlarityPollSettings.maxPages {
            let page = try await fetch(from: start, to: end, offset: offset)
            pass.pages += 1
            let calls = page["objects"]?.elements ?? []
            for call in calls {
                pass.calls += 1
                if try store(call, in: database) { pass.stored += 1 }
            }
            offset += calls.count
            guard let next = page["meta"]?["next"], next != .null, !calls.isEmpty else { break }
        }
        _ = try database.run(
            """
            INSERT INTO poll_cursors (name, polled_until) VALUES (?1, ?2)
            ON CONFLICT (name) DO UPDATE SET polled_until = ?2, updated_at = \(database.dialect.now)
            """, [.text(Self.cursorName), .text(Timestamp.epoch.adding(seconds: end).iso8601)])
        return pass
    }

    private func fetch(from start: Int64, to end: Int64, offset: Int) async throws -> JSONValue {
        let query = [
            ("start_time", settings.apiTime(start)), ("end_time", settings.apiTime(end)),
            ("limit", String(KnowlarityPollSettings.pageSize)), ("offset", String(offset)),
        ].map { "\($0)=\(Self.percentEncoded($1))" }.joined(separator: "&")
        let url = try OutboundURL(settings.apiBase + "/account/calllog?" + query)
        let headers = [("x-api-key", settings.apiKey), ("Authorization", settings.srKey), ("Accept", "application/json")]
        let answer = try await client.send(
            .get, to: url, atFirstOf: try url.checkedAddresses(allowPrivate: true), headers: headers, timeoutMilliseconds: 30_000,
            maxBodyBytes: 16 << 20)
        switch answer.status {
        case 200:
            do {
                return try JSONValue(parsing: answer.body)
            } catch {
                throw Failure.broken("the page is not JSON (\(error))")
            }
        case 401, 403: throw Failure.refused(status: answer.status)
        case 429, 500...599:
            throw ProviderBusy(provider: "Knowlarity", status: answer.status, retryAfter: answer.retryAfterSeconds)
        default: throw Failure.broken("HTTP \(answer.status)")
        }
    }

    /// Sends a call the store does not have yet through the hook's processing; true when it
    /// was new. Known calls are skipped here, so overlapping passes add no log rows.
    private func store(_ call: JSONValue, in database: Database) throws -> Bool {
        guard let uuid = KnowlarityWebhook.uuid(of: call), try !KnowlarityWebhook.isStored(uuid: uuid, in: database) else { return false }
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        let request = Request(method: .post, path: "/webhooks/knowlarity", headers: headers, body: Array(call.jsonText.utf8), remoteAddress: "knowlarity-poll")
        let answer = try KnowlarityWebhook.receive(request, context: context)
        return answer.status == .ok
    }

    /// Query-string encoding of a value: everything but unreserved characters as %XX.
    static func percentEncoded(_ value: String) -> String {
        var out = ""
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(Character(UnicodeScalar(byte)))
            default:
                out += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return out
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
