// health: GET /health
// See Shared/Health/HealthCheck.swift.
import FunctionKit
import Health

FunctionMain.run(HealthCheck.name, handler: HealthCheck.handle)
