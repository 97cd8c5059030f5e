import LeadwireStore

/// One lead of one account.
struct LeadKey: Hashable, Comparable {
    let accountID: Int64
    let kommoID: Int64

    static func < (lhs: LeadKey, rhs: LeadKey) -> Bool { (lhs.accountID, lhs.kommoID) < (rhs.accountID, rhs.kommoID) }
}

/// A lead's version as stored, and the account it is stored under.
struct StoredLead {
    let version: LeadVersion
    let accountID: Int64
}

/// The SQL behind `kommo_leads`: read leads' stored versions, write new ones.
struct KommoLeadRepository {
    let database: Database

    /// The stored version of each lead in `leads`: the row under the lead's account, or else the
    /// one under account 0 (stored without its account, see `adopt`), with the account it is
    /// stored under. One query for up to 64 leads: on PostgreSQL a whole body's leads cost one
    /// round trip, not one each.
    func stored(_ leads: Set<LeadKey>) throws -> [LeadKey: StoredLead] {
        var rows: [Int64: [Int64: LeadVersion]] = [:]  // kommo id, then account
        let ids = Set(leads.map(\.kommoID)).sorted()
        for start in stride(from: 0, to: ids.count, by: Self.idsPerQuery) {
            let chunk = ids[start..<min(start + Self.idsPerQuery, ids.count)]
            // The list is padded (with its last id) to 1, 4, 16 or 64 entries, so that four
            // statements, each prepared once per process, serve every body.
            let size = [1, 4, 16].first { $0 >= chunk.count } ?? Self.idsPerQuery
            let parameters = chunk.map(SQLValue.integer) + Array(repeating: .integer(chunk.last!), count: size - chunk.count)
            let placeholders = Array(repeating: "?", count: size).joined(separator: ", ")
            for row in try database.query(
                """
                SELECT name, status_id, pipeline_id, responsible_user_id, price, event_type, is_deleted, raw_data, crm_updated_at,
                    account_id, kommo_id
                FROM kommo_leads WHERE kommo_id IN (\(placeholders))
                """, parameters)
            {
                guard let kommoID = row[10].integer else { continue }
                rows[kommoID, default: [:]][row[9].integer ?? 0] = LeadVersion(
                    name: row[0].text, statusID: row[1].integer, pipelineID: row[2].integer, responsibleUserID: row[3].integer,
                    price: row[4].real, eventType: row[5].text ?? "", isDeleted: row[6].integer == 1, rawData: row[7].text,
                    crmUpdatedAt: row[8].integer)
            }
        }
        var found: [LeadKey: StoredLead] = [:]
        for lead in leads {
            guard let accounts = rows[lead.kommoID] else { continue }
            if let version = accounts[lead.accountID] {
                found[lead] = StoredLead(version: version, accountID: lead.accountID)
            } else if let version = accounts[0] {
                found[lead] = StoredLead(version: version, accountID: 0)
            }
        }
        return found
    }

    private static let idsPerQuery = 64

    /// A lead stored without its account (account 0: a body that did not say, or a row from
    /// before Leadwire, such as a Supabase project's `kommo_leads`) belongs to the first account
    /// that sends it: Kommo's lead ids are unique across accounts.
    func adopt(kommoID: Int64, accountID: Int64) throws {
        try database.write("UPDATE kommo_leads SET account_id = ? WHERE account_id = 0 AND kommo_id = ?", [.integer(accountID), .integer(kommoID)])
    }

    func insert(_ lead: LeadVersion, accountID: Int64, subdomain: String?, kommoID: Int64) throws {
        try database.write(
            """
            INSERT INTO kommo_leads (id, account_id, account_subdomain, kommo_id, name, status_id, pipeline_id,
                responsible_user_id, price, event_type, is_deleted, raw_data, crm_updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.text(Identifiers.uuid()), .integer(accountID), SQLValue(subdomain), .integer(kommoID)] + columns(of: lead))
    }

    func update(_ lead: LeadVersion, accountID: Int64, subdomain: String?, kommoID: Int64) throws {
        try database.write(
            """
            UPDATE kommo_leads SET name = ?, status_id = ?, pipeline_id = ?, responsible_user_id = ?, price = ?,
                event_type = ?, is_deleted = ?, raw_data = ?, crm_updated_at = ?,
                account_subdomain = coalesce(?, account_subdomain),
                updated_at = \(database.dialect.now)
            WHERE account_id = ? AND kommo_id = ?
            """,
            columns(of: lead) + [SQLValue(subdomain), .integer(accountID), .integer(kommoID)])
    }

    private func columns(of lead: LeadVersion) -> [SQLValue] {
        [
            SQLValue(lead.name), SQLValue(lead.statusID), SQLValue(lead.pipelineID), SQLValue(lead.responsibleUserID),
            SQLValue(lead.price), .text(lead.eventType), SQLValue(lead.isDeleted), SQLValue(lead.rawData),
            SQLValue(lead.crmUpdatedAt),
        ]
    }
}
