// widget-request: POST /widget-request, POST /api/kommo/kommo/widget-request (seed 002)
// The Salesbot widget step; see Shared/KommoWidget/WidgetRequestAPI.swift.
import FunctionKit
import KommoWidget

FunctionMain.run(WidgetRequestAPI.name, handler: WidgetRequestAPI.handle)
