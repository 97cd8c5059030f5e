extension Schema.Postgres {
    /// Kommo OAuth connections with sealed tokens and a refresh lease, the single-use `state`
    /// values, and each account's API calls in the current second (see the SQLite twin).
    static let kommoOAuth = """
        CREATE TABLE oauth_tokens (
            account_id           bigint PRIMARY KEY,
            subdomain            text NOT NULL,
            base_domain          text NOT NULL,
            access_token_sealed  bytea NOT NULL,
            refresh_token_sealed bytea NOT NULL,
            expires_at           timestamptz(3) NOT NULL,
            status               text NOT NULL DEFAULT 'connected' CHECK (status IN ('connected', 'needs_reauthorization')),
            status_reason        text,
            refresh_lease_owner  text,
            refresh_lease_until  timestamptz(3),
            last_refreshed_at    timestamptz(3),
            connected_at         timestamptz(3) NOT NULL DEFAULT now(),
            updated_at           timestamptz(3) NOT NULL DEFAULT now()
        );
        CREATE TABLE oauth_states (
            state      text PRIMARY KEY,
            expires_at timestamptz(3) NOT NULL
        );
        CREATE TABLE kommo_api_calls (
            account_id bigint PRIMARY KEY,
            second     bigint NOT NULL,
            count      integer NOT NULL
        );
        """
}
