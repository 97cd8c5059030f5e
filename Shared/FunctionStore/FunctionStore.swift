public import FunctionKit
public import LeadwireStore

extension FunctionContext {
    /// The store named by LEADWIRE_DATABASE, opened once per process and kept. A store that
    /// cannot be opened is the one failure a webhook sender should retry, so it becomes 503; a
    /// store setting that cannot be used is the operator's to fix, so it is a 500 that names it.
    /// The settings are read when the store is first opened, not on every call.
    public func openStore() throws(HTTPError) -> Database {
        do {
            return try resources.value(Database.self) {
                var settings = try StoreSettings(environment: environment)
                settings.lifetime = resources.livesForOneRequest ? .oneRequest : .manyRequests
                return try Database(settings: settings)
            }
        } catch let error as ConfigurationError {
            logger.error("configuration_error", ["message": .string(error.message)])
            throw .misconfigured
        } catch {
            logger.error("store_unavailable", ["message": .string(String(describing: error))])
            throw .serviceUnavailable("The store is unavailable; retry later.")
        }
    }
}
