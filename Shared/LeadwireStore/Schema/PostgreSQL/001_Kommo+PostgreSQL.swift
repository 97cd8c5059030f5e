extension Schema.Postgres {
    /// Seed 000's `kommo_leads` and `kommo_webhook_logs` with the types Supabase gave them
    /// (`uuid`, `bigint`, `boolean`, `jsonb`, `timestamptz`), plus Leadwire's columns.
    ///
    /// A database that already holds the seed's tables (a Supabase project moving here) keeps
    /// them and every row: the tables are created only if missing, and Leadwire's columns and
    /// indexes are added to whatever is there. Nothing is dropped or retyped.
    ///
    /// `raw_body` is `bytea`: the body exactly as received, which PostgreSQL text could not
    /// hold when it has a NUL byte or is not UTF-8. `leadwire_body_text` reads it as text for
    /// search (`convert_from(raw_body, 'UTF8')` does the same for one known to be UTF-8).
    static let kommo = """
        CREATE TABLE IF NOT EXISTS kommo_leads (
            id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            kommo_id            bigint NOT NULL,
            name                text,
            status_id           integer,
            pipeline_id         integer,
            responsible_user_id integer,
            price               numeric,
            event_type          text,
            is_deleted          boolean NOT NULL DEFAULT false,
            raw_data            jsonb,
            created_at          timestamptz(3) NOT NULL DEFAULT now(),
            updated_at          timestamptz(3) NOT NULL DEFAULT now()
        );
        ALTER TABLE kommo_leads
            ADD COLUMN IF NOT EXISTS account_id bigint NOT NULL DEFAULT 0,
            ADD COLUMN IF NOT EXISTS account_subdomain text,
            ADD COLUMN IF NOT EXISTS crm_updated_at bigint;
        CREATE UNIQUE INDEX IF NOT EXISTS kommo_leads_account_kommo_id ON kommo_leads (account_id, kommo_id);
        CREATE INDEX IF NOT EXISTS kommo_leads_kommo_id ON kommo_leads (kommo_id);
        CREATE INDEX IF NOT EXISTS kommo_leads_updated_at ON kommo_leads (updated_at);
        CREATE INDEX IF NOT EXISTS kommo_leads_pipeline_status ON kommo_leads (pipeline_id, status_id);

        CREATE TABLE IF NOT EXISTS kommo_webhook_logs (
            id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            event_type    text,
            payload       jsonb,
            results       jsonb,
            status        text NOT NULL,
            error_message text,
            created_at    timestamptz(3) NOT NULL DEFAULT now()
        );
        ALTER TABLE kommo_webhook_logs
            ADD COLUMN IF NOT EXISTS account_id bigint,
            ADD COLUMN IF NOT EXISTS account_subdomain text,
            ADD COLUMN IF NOT EXISTS content_type text,
            ADD COLUMN IF NOT EXISTS raw_body bytea,
            ADD COLUMN IF NOT EXISTS remote_addr text,
            ADD COLUMN IF NOT EXISTS processed_at timestamptz(3);
        CREATE INDEX IF NOT EXISTS kommo_webhook_logs_created_at ON kommo_webhook_logs (created_at);
        CREATE INDEX IF NOT EXISTS kommo_webhook_logs_status ON kommo_webhook_logs (status, created_at);

        CREATE OR REPLACE FUNCTION leadwire_body_text(body bytea) RETURNS text LANGUAGE plpgsql IMMUTABLE AS $$
        BEGIN
            RETURN convert_from(body, 'UTF8');
        EXCEPTION WHEN OTHERS THEN
            RETURN encode(body, 'escape');
        END
        $$;
        """
}
