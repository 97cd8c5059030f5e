// metrics: GET /metrics (Prometheus text format); scope metrics:read
// See Shared/Metrics/MetricsAPI.swift.
import FunctionKit
import Metrics

FunctionMain.run(MetricsAPI.name, handler: MetricsAPI.handle)
