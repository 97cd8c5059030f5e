extension Schema.SQLite {
    /// Kommo OAuth (seed 000's `oauth_tokens`): one connection per Kommo account, its tokens
    /// sealed under LEADWIRE_SECRET_KEY, and a refresh lease, because a refresh token works
    /// once and two processes refreshing together would break the connection. The single-use
    /// `state` values of connections under way; and the calls made to each account's API in
    /// the current second, so every process together keeps to Kommo's limit.
    static let kommoOAuth = """
        CREATE TABLE oauth_tokens (
            account_id           INTEGER PRIMARY KEY,
            subdomain            TEXT NOT NULL,
            base_domain          TEXT NOT NULL,
            access_token_sealed  BLOB NOT NULL,
            refresh_token_sealed BLOB NOT NULL,
            expires_at           TEXT NOT NULL,
            status               TEXT NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'needs_reauthorization')),
            status_reason        TEXT,
            refresh_lease_owner  TEXT,
            refresh_lease_until  TEXT,
            last_refreshed_at    TEXT,
            connected_at         TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow)),
            updated_at           TEXT NOT NULL DEFAULT (\(StoreTime.sqliteNow))
        );
        CREATE TABLE oauth_states (
            state      TEXT PRIMARY KEY,
            expires_at TEXT NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE kommo_api_calls (
            account_id INTEGER PRIMARY KEY,
            second     INTEGER NOT NULL,
            count      INTEGER NOT NULL
        ) WITHOUT ROWID;
        """
}
