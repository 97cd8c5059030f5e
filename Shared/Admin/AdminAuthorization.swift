public import FunctionKit
import HTTPTypes
public import LeadwireStore

extension Request {
    /// The admin key this request carries as `Authorization: Bearer <key>` (or `apikey: <key>`), checked for `scope`.
    ///
    /// 401 when the key is missing, unknown or revoked. Seed 004's `X-Admin-ID` header names
    /// someone but proves nothing, so on its own it is a 401 too. 403 when the key is valid but
    /// lacks the scope.
    public func requireAdminKey(_ scope: Scope, in database: Database) throws(HTTPError) -> ApiKey {
        // Supabase clients (seed 000's) send their key as `apikey`; it is accepted the same way.
        let presented: String
        if let header = headers[.authorization], header.lowercased().hasPrefix("bearer ") {
            presented = String(header.dropFirst(7).trimmingSpaces)
        } else if let apikey = headers[HTTPField.Name("apikey")!] {
            presented = String(apikey.trimmingSpaces)
        } else {
            throw .unauthorized("Send an admin key as `Authorization: Bearer <key>` or `apikey: <key>` (create one with `runtime keys create`).")
        }
        let key: ApiKey?
        do {
            key = try ApiKeys(database: database).authenticate(presented)
        } catch {
            throw .serviceUnavailable("The store is unavailable; retry later.")
        }
        guard let key else { throw .unauthorized("The admin key is not valid, or it was revoked.") }
        guard key.scopes.contains(scope) else {
            throw HTTPError(.forbidden, code: .forbidden, message: "The key \"\(key.name)\" lacks the \(scope.rawValue) scope.")
        }
        return key
    }
}
