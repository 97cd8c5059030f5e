import LeadwireStore

/// The SQL behind `kommo_leads`: read one lead's stored version, write a new one.
struct KommoLeadRepository {
    let database: Database

    /// The lead's stored version under `accountID`, or else under account 0 (stored without its
    /// account, see `adopt`), with the account it is stored under.
    func stored(accountID: Int64, kommoID: Int64) throws -> (version: LeadVersion, accountID: Int64)? {
        let row = try database.queryRow(
            """
            SELECT name, status_id, pipeline_id, responsible_user_id, price, event_type, is_deleted, raw_data, crm_updated_at, account_id
            FROM kommo_leads WHERE kommo_id = ? AND account_id IN (?, 0) ORDER BY account_id DESC LIMIT 1
            """, [.integer(kommoID), .integer(accountID)])
        return row.map { row in
            let version = LeadVersion(
                name: row[0].text, statusID: row[1].integer, pipelineID: row[2].integer, responsibleUserID: row[3].integer,
                price: row[4].real, eventType: row[5].text ?? "", isDeleted: row[6].integer == 1, rawData: row[7].text,
                crmUpdatedAt: row[8].integer)
            return (version, row[9].integer ?? 0)
        }
    }

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
