import CPostgres

/// libpq's functions, loaded when the first PostgreSQL connection is opened (see
/// Shared/CPostgres/shim.h for why it is not linked). Written once, read only afterwards.
nonisolated(unsafe) private(set) var libpq = leadwire_libpq()

enum LibPQ {
    /// Loads libpq once per process; the error says what to install when it cannot.
    static let loaded: StoreError? = {
        guard let failure = leadwire_libpq_load(&libpq) else { return nil }
        return StoreError(
            sqlState: "08006", message: "LEADWIRE_DATABASE_URL is set but libpq cannot be loaded (\(String(cString: failure))); install libpq5",
            sql: nil)
    }()
}
