/// A query's answer asked for before it is needed. On PostgreSQL inside a transaction, the
/// query travels with the statements that follow it (see `Database.write`), so reading its
/// answer costs no round trip of its own. Elsewhere the query runs when it is asked for.
public final class Prefetched<Value> {
    private let decode: ([Row]) -> Value
    private let send: () throws(StoreError) -> Void
    private var outcome: Result<Value, StoreError>?

    init(decode: @escaping ([Row]) -> Value, send: @escaping () throws(StoreError) -> Void) {
        self.decode = decode
        self.send = send
    }

    /// The answer; sends the query now (with whatever waits to be sent) if it has not gone yet.
    /// Throws the query's failure, or the failure of a statement sent before it in the same
    /// round trip (then the query did not run).
    public func value() throws(StoreError) -> Value {
        if outcome == nil { try send() }
        guard let outcome else {
            throw StoreError(sqlState: "08006", message: "the prefetched query was never sent: its transaction ended first", sql: nil)
        }
        return try outcome.get()
    }

    /// Where the connection hands the rows, or the reason there are none.
    func deliver(_ rows: Result<[Row], StoreError>) {
        outcome = rows.map(decode)
    }
}
