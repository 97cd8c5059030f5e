// webhook-subscriptions: /api/admin/webhooks (seed 004's outbound webhook management)
// See Shared/WebhookSubscriptions/WebhookSubscriptionsAPI.swift.
import FunctionKit
import WebhookSubscriptions

FunctionMain.run(WebhookSubscriptionsAPI.name, handler: WebhookSubscriptionsAPI.handle)
