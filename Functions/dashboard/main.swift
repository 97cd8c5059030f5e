// dashboard: GET /api/admin/stats (JSON; scope stats:read), GET /api/admin/dashboard (the page)
// See Shared/Dashboard/DashboardAPI.swift.
import Dashboard
import FunctionKit

FunctionMain.run(DashboardAPI.name, handler: DashboardAPI.handle)
