// export: GET /api/admin/export/<dataset>/<csv|json|ndjson>
// See Shared/Export/ExportAPI.swift.
import Export
import FunctionKit

FunctionMain.run(ExportAPI.name, handler: ExportAPI.handle)
