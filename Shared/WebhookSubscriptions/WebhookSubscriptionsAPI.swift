import Admin
public import FunctionKit
import FunctionStore
import HTTPTypes
import LeadwireStore
import Outbound
import SecretSealing

#if canImport(Glibc)
import Glibc
#endif

/// webhook-subscriptions: seed 004's outbound webhook management, admin key scope
/// `webhooks:manage`.
///
/// - `POST   /api/admin/webhooks`: create (the secret is in this answer only); `GET` lists.
/// - `GET    /api/admin/webhooks/{id}`: one, with its counters and its last 50 deliveries.
/// - `PATCH  /api/admin/webhooks/{id}`: change fields; `"active": true` re-enables one.
/// - `DELETE /api/admin/webhooks/{id}`.
/// - `POST   /api/admin/webhooks/{id}/test`: send a `webhook.test` event and report how it went.
/// - `POST   /api/admin/webhooks/{id}/rotate-secret`: a new secret; the old one signs too for 24 h.
/// - `POST   /api/admin/webhooks/{id}/deliveries/{delivery}/retry`: queue that message again.
/// - `GET    /api/admin/webhooks/viewer`: the deliveries page (it asks for a key; data needs one).
public enum WebhookSubscriptionsAPI {
    public static let name = "webhook-subscriptions"
    static let root = "/api/admin/webhooks"

    public static func handle(_ request: Request, context: FunctionContext) throws -> Response {
        try AdminHeaders.around(request, context) { try route(request, context: context) }
    }

    static func route(_ request: Request, context: FunctionContext) throws -> Response {
        let parts = request.segments(under: root)
        guard parts.count <= 4 else { throw HTTPError.notFound("No such admin resource: \(request.path).") }
        if parts == ["viewer"] {
            try request.require(method: .get)
            return DeliveriesPage.response
        }
        let database = try context.openStore()
        let caller = try request.requireAdminKey(.webhooksManage, in: database)
        let store = SubscriptionStore(database: database, key: try SealingKey(context.environment))
        let allowPrivate = context.environment["LEADWIRE_WEBHOOKS_ALLOW_PRIVATE"] == "1"

        switch (request.method, parts.count) {
        case (.post, 0):
            let input = try SubscriptionInput.parse(request, context: context, creating: true, allowPrivate: allowPrivate)
            let (subscription, secret) = try store.create(input, createdBy: caller.name)
            var webhook = subscription.json
            webhook["secret"] = .string(secret.text)
            return .json(["success": true, "webhook": .object(webhook)], status: .created)
        case (.get, 0):
            return .json(["success": true, "webhooks": .array(try store.list().map { .object($0.json) })])
        case (.get, 1):
            var webhook = try found(try store.subscription(parts[0]), parts[0]).json
            webhook["deliveries"] = .array(try store.deliveries(of: parts[0]).map(\.json))
            return .json(["success": true, "webhook": .object(webhook)])
        case (.patch, 1):
            let input = try SubscriptionInput.parse(request, context: context, creating: false, allowPrivate: allowPrivate)
            return .json(["success": true, "webhook": .object(try found(try store.update(parts[0], with: input), parts[0]).json)])
        case (.delete, 1):
            guard try store.delete(parts[0]) else { throw notFound(parts[0]) }
            return .json(["success": true])
        case (.post, 2) where parts[1] == "test":
            return try test(try found(try store.subscription(parts[0]), parts[0]), store: store)
        case (.post, 2) where parts[1] == "rotate-secret":
            let rotated = try found(try store.rotateSecret(parts[0]), parts[0])
            return .json(["success": true, "secret": .string(rotated.secret.text), "previousSecretValidUntil": .string(rotated.previousValidUntil)])
        case (.post, 4) where parts[1] == "deliveries" && parts[3] == "retry":
            guard let delivery = Int64(parts[2]), let message = try store.retry(delivery: delivery, of: parts[0]) else {
                throw HTTPError.notFound("Subscription \(parts[0]) has no delivery \(parts[2]).")
            }
            return .json(["success": true, "messageId": JSONValue(message), "status": "pending"])
        case (_, 0): throw HTTPError.methodNotAllowed(allowed: [.get, .post])
        case (_, 1): throw HTTPError.methodNotAllowed(allowed: [.get, .patch, .delete])
        default: throw HTTPError.notFound("No such admin resource: \(request.path).")
        }
    }

    /// Seed 004's test delivery: queued like any event, then the worker's result is awaited for
    /// the subscription's timeout and two seconds more. Without a worker running, the answer
    /// is 202 and says so; the message stays queued.
    static func test(_ subscription: Subscription, store: SubscriptionStore) throws -> Response {
        let message = try store.enqueueTest(subscription)
        let deadline = ContinuousClock.now + .milliseconds(subscription.timeoutMs + 2000)
        while ContinuousClock.now < deadline {
            if let attempt = try store.latestAttempt(ofMessage: message) {
                return .json(["success": .bool(attempt.status == "success"), "messageId": JSONValue(message), "delivery": attempt.json])
            }
            usleep(50_000)
        }
        return .json(
            [
                "success": true, "messageId": JSONValue(message), "status": "queued",
                "message": "Queued, but no worker delivered it yet. Is `runtime worker` (or `runtime serve`) running?",
            ], status: .accepted)
    }

    private static func found<Value>(_ value: Value?, _ id: String) throws(HTTPError) -> Value {
        guard let value else { throw notFound(id) }
        return value
    }

    private static func notFound(_ id: String) -> HTTPError { .notFound("No webhook subscription \(id).") }
}

extension SubscriptionInput {
    static func parse(_ request: Request, context: FunctionContext, creating: Bool, allowPrivate: Bool) throws -> SubscriptionInput {
        let settings = try FunctionSettings(context.environment)
        let body = try request.decodedBody(accepting: [.json], limits: settings.bodyLimits)
        do {
            return try SubscriptionInput(body, creating: creating, allowPrivate: allowPrivate)
        } catch {
            throw HTTPError.badRequest(error.description, code: .invalidSubscription)
        }
    }
}
