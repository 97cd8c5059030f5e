extension Schema.Postgres {
    /// Knowlarity's later events for a call fill in its row; each intake log row says what its
    /// request did (`outcome`). As SQLite's 008.
    static let callUpdates = """
        ALTER TABLE knowlarity_calls ADD COLUMN call_status text;
        ALTER TABLE knowlarity_calls ADD COLUMN events_received integer NOT NULL DEFAULT 1;
        ALTER TABLE knowlarity_calls ADD COLUMN updated_at timestamptz(3);
        ALTER TABLE webhook_logs ADD COLUMN outcome text;

        DROP VIEW inbound_logs;
        CREATE VIEW inbound_logs AS
        SELECT log_seq, 'kommo' AS source, 'kommo:' || id::text AS log_id, created_at AS received_at, event_type,
               status, NULL::text AS routing_decision, NULL::bigint AS pipeline_id, NULL::bigint AS lead_id,
               NULL::text AS utm_source, NULL::text AS utm_campaign, error_message, payload, results, raw_body, content_type,
               NULL::text AS outcome
        FROM kommo_webhook_logs
        UNION ALL
        SELECT log_seq, source, source || ':' || id::text, received_at, NULL,
               processing_status, routing_decision, pipeline_id, lead_id, utm_source,
               utm_campaign, error_message, deal_data, NULL, NULL, NULL, outcome
        FROM webhook_logs;
        """
}
