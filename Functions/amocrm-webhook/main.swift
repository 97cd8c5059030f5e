// amocrm-webhook: POST /webhook/amocrm, GET /webhook/amocrm/test
// Won deals, UTM routing and sales; see Shared/AmoCRM/AmoCRMWebhook.swift.
import AmoCRM
import FunctionKit

FunctionMain.run(AmoCRMWebhook.name, groupCommit: true, handler: AmoCRMWebhook.handle)
