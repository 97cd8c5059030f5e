// knowlarity-webhook: POST /webhooks/knowlarity
// Telephony calls into leads_master; see Shared/Knowlarity/KnowlarityWebhook.swift.
import FunctionKit
import Knowlarity

FunctionMain.run(KnowlarityWebhook.name, groupCommit: true, handler: KnowlarityWebhook.handle)
