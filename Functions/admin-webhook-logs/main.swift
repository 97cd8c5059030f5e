// admin-webhook-logs: GET /api/admin/webhook-logs (JSON, /viewer, /{id}), POST /{id}/replay
// See Shared/WebhookLogs/WebhookLogsAPI.swift.
import FunctionKit
import WebhookLogs

FunctionMain.run(WebhookLogsAPI.name, handler: WebhookLogsAPI.handle)
