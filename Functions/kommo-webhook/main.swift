// kommo-webhook: POST /kommo-webhook, POST /functions/v1/kommo-webhook
// Kommo lead events into kommo_leads; see Shared/Kommo/KommoWebhook.swift.
import FunctionKit
import Kommo

FunctionMain.run(KommoWebhook.name, groupCommit: true, handler: KommoWebhook.handle)
