import FunctionKit

/// `LEADWIRE_KOMMO_ALLOWED_ACCOUNTS`: the Kommo accounts that may connect, separated by commas
/// or spaces, each an account id (`29085730`), a host (`acme.kommo.com`) or a subdomain
/// (`acme`, any of Kommo's and amoCRM's domains). Unset, any account an admin connects may.
struct AllowedAccounts: Sendable {
    let ids: Set<Int64>
    let hosts: Set<String>
    let subdomains: Set<String>

    init(_ text: String) throws(ConfigurationError) {
        var ids = Set<Int64>()
        var hosts = Set<String>()
        var subdomains = Set<String>()
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }).map({ String($0).lowercased() }) {
            if let id = Int64(entry) {
                ids.insert(id)
            } else if let host = KommoAccountHost(entry), entry.contains(".") {
                hosts.insert(host.name)
            } else if KommoAccountHost(entry + ".kommo.com") != nil {
                subdomains.insert(entry)
            } else {
                throw ConfigurationError(
                    message: "LEADWIRE_KOMMO_ALLOWED_ACCOUNTS has \"\(entry)\", which is neither an account id, a Kommo host (acme.kommo.com) nor a subdomain.")
            }
        }
        guard !(ids.isEmpty && hosts.isEmpty && subdomains.isEmpty) else {
            throw ConfigurationError(message: "LEADWIRE_KOMMO_ALLOWED_ACCOUNTS is set but names no account.")
        }
        (self.ids, self.hosts, self.subdomains) = (ids, hosts, subdomains)
    }

    /// Whether the account at `host` is listed by its host or subdomain.
    func allows(_ host: KommoAccountHost) -> Bool { hosts.contains(host.name) || subdomains.contains(host.subdomain) }

    /// Whether the account is listed by its id, host or subdomain.
    func allows(_ accountID: Int64, at host: KommoAccountHost) -> Bool { ids.contains(accountID) || allows(host) }
}
