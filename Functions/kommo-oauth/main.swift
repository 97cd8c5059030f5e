// kommo-oauth: /kommo-oauth, /functions/v1/kommo-oauth (seed 000)
// Kommo OAuth connections and the API proxy; see Shared/KommoOAuth/KommoOAuthAPI.swift.
import FunctionKit
import KommoOAuth

FunctionMain.run(KommoOAuthAPI.name, handler: KommoOAuthAPI.handle)
