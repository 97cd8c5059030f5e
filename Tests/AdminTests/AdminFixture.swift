import Admin
import Export
import HTTPTypes
import WebhookLogs
import AmoCRM
import FunctionKit
import Knowlarity
import Kommo
import LeadwireStore
import TestSupport

/// One database with admin keys, and the inbound functions to fill it.
struct AdminFixture {
    let logs: HandlerFixture
    let export: HandlerFixture
    let kommo: HandlerFixture
    let amocrm: HandlerFixture
    let knowlarity: HandlerFixture
    /// Keys by what they may do.
    let reader: String
    let replayer: String
    let exporter: String

    init(settings: [String: String] = [:]) throws {
        logs = HandlerFixture(path: "/api/admin/webhook-logs", settings: TestSettings.openIntake.merging(settings) { $1 }, handler: WebhookLogsAPI.handle)
        export = logs.sharing(path: "/api/admin/export", handler: ExportAPI.handle)
        kommo = logs.sharing(path: "/kommo-webhook", handler: KommoWebhook.handle)
        amocrm = logs.sharing(path: "/webhook/amocrm", handler: AmoCRMWebhook.handle)
        knowlarity = logs.sharing(path: "/webhooks/knowlarity", handler: KnowlarityWebhook.handle)
        let keys = ApiKeys(database: try logs.database())
        reader = try keys.create(name: "reader", scopes: [.logsRead])
        replayer = try keys.create(name: "replayer", scopes: [.logsRead, .logsReplay])
        exporter = try keys.create(name: "exporter", scopes: [.export])
    }

    func bearer(_ key: String) -> [(String, String)] { [("Authorization", "Bearer " + key)] }

    func getLogs(_ query: String = "", key: String? = nil) -> Response {
        logs.send("", contentType: nil, method: .get, query: query, headers: bearer(key ?? reader))
    }

    func getExport(_ path: String, _ query: String = "", key: String? = nil) -> Response {
        export.send("", contentType: nil, method: .get, path: "/api/admin/export/" + path, query: query, headers: bearer(key ?? exporter))
    }
}

func kommoLead(_ id: Int, name: String, extra: [(String, String)] = []) -> String {
    formBody([("leads[add][0][id]", String(id)), ("leads[add][0][name]", name)] + extra.map { ("leads[add][0][\($0.0)]", $0.1) })
}

func amoSale(_ id: Int, utmSource: String) -> String {
    formBody([
        ("leads[status][0][id]", String(id)), ("leads[status][0][status_id]", "142"), ("leads[status][0][pipeline_id]", "7"),
        ("leads[status][0][custom_fields][0][name]", "utm_source"), ("leads[status][0][custom_fields][0][values][0][value]", utmSource),
    ])
}
