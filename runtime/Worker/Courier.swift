import FunctionKit
import HTTPTypes
import Outbound
import OutboundHTTP
import OutboundURLCheck

/// Sends one claimed message and says how it went; it never touches the store, so many run
/// at once while the worker alone records their results.
struct Courier: Sendable {
    let client: HTTPClient
    let settings: WorkerSettings
    /// Nil when widget replies cannot be sent (no Kommo integration or no secret key).
    let widgetReplies: WidgetReplies?
    /// Subscribers' checked addresses, so that a delivery does not wait for the resolver.
    let addresses = CheckedAddressCache()

    func deliver(_ message: QueuedMessage) async -> AttemptResult {
        let started = Timestamp.now()
        var result: AttemptResult
        do {
            if message.topic == "webhook" {
                result = try await webhook(message)
            } else if message.topic == "widget.reply" {
                result = try await widgetReplies?.deliver(message) ?? failure("widget replies are not configured")
            } else {
                result = try await telegram(message)
            }
        } catch {
            result = AttemptResult(httpStatus: nil, responseExcerpt: nil, error: String(describing: error), durationMilliseconds: 0)
        }
        result.durationMilliseconds = Timestamp.millisecondsSince(started)
        return result
    }

    /// A signed POST of the payload's exact bytes: seed 004's `X-Webhook-Signature` and the
    /// Standard Webhooks headers, with one `webhook-id` for every attempt of the message.
    private func webhook(_ message: QueuedMessage) async throws -> AttemptResult {
        guard let target = message.subscription else { return failure("the message has no subscription") }
        if let unsendable = message.unsendable { return failure(unsendable) }
        let url = try OutboundURL(target.url)
        let addresses = try await self.addresses.addresses(of: url, allowPrivate: settings.allowPrivate)
        let body = Array(message.payload.utf8)
        let timestamp = Timestamp.now().secondsSince1970
        let headers = [
            ("Content-Type", "application/json"), ("User-Agent", "Leadwire/\(LeadwireVersion.string)"),
            ("X-Webhook-Event", message.eventType), ("X-Webhook-Signature", WebhookSignature.hex(body: body, secret: target.secrets[0])),
            ("webhook-id", message.eventID), ("webhook-timestamp", String(timestamp)),
            ("webhook-signature", WebhookSignature.standard(id: message.eventID, timestamp: timestamp, body: body, secrets: target.secrets)),
        ]
        let answer = try await client.send(to: url, atFirstOf: addresses, headers: headers, body: body, timeoutMilliseconds: target.timeoutMilliseconds)
        return AttemptResult(
            httpStatus: answer.status, responseExcerpt: String(decoding: answer.body, as: UTF8.self), error: nil, durationMilliseconds: 0,
            retryAfterSeconds: answer.retryAfterSeconds)
    }

    /// `sendMessage` with the text the notice was queued with; a 429 carries Telegram's
    /// `parameters.retry_after`.
    private func telegram(_ message: QueuedMessage) async throws -> AttemptResult {
        guard let telegram = settings.telegram else { return failure("LEADWIRE_TELEGRAM_BOT_TOKEN is not set") }
        let text = (try? JSONValue(parsing: message.payload))?["text"]?.text ?? message.payload
        let body = Array(JSONValue.object(JSONObject([("chat_id", .string(telegram.chatID)), ("text", .string(text))])).jsonText.utf8)
        // The operator chose this address, so it is not held to the subscriber rules.
        let url = try OutboundURL(telegram.apiBase + "/bot" + telegram.token + "/sendMessage")
        let answer = try await client.send(
            to: url, atFirstOf: try url.checkedAddresses(allowPrivate: true), headers: [("Content-Type", "application/json")], body: body,
            timeoutMilliseconds: 10_000)
        let excerpt = String(decoding: answer.body, as: UTF8.self)
        let retryAfter = (try? JSONValue(parsing: excerpt))?["parameters"]?["retry_after"]?.int64
        return AttemptResult(httpStatus: answer.status, responseExcerpt: excerpt, error: nil, durationMilliseconds: 0, retryAfterSeconds: retryAfter)
    }

    private func failure(_ reason: String) -> AttemptResult {
        AttemptResult(httpStatus: nil, responseExcerpt: nil, error: reason, durationMilliseconds: 0)
    }
}
