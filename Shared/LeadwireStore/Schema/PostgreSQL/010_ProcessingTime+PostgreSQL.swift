extension Schema.Postgres {
    /// Each intake log row says when its request arrived, when processing finished and how long
    /// that took. As SQLite's 010.
    static let processingTime = """
        ALTER TABLE webhook_logs ADD COLUMN processing_ms integer;
        ALTER TABLE kommo_webhook_logs ADD COLUMN processing_ms integer;

        DROP VIEW inbound_logs;
        CREATE VIEW inbound_logs AS
        SELECT log_seq, 'kommo' AS source, 'kommo:' || id::text AS log_id, created_at AS received_at, event_type,
               status, NULL::text AS routing_decision, NULL::bigint AS pipeline_id, NULL::bigint AS lead_id,
               NULL::text AS utm_source, NULL::text AS utm_campaign, error_message, payload, results, raw_body, content_type,
               NULL::text AS outcome, processed_at, processing_ms
        FROM kommo_webhook_logs
        UNION ALL
        SELECT log_seq, source, source || ':' || id::text, received_at, NULL,
               processing_status, routing_decision, pipeline_id, lead_id, utm_source,
               utm_campaign, error_message, deal_data, NULL, NULL, NULL, outcome, processed_at, processing_ms
        FROM webhook_logs;
        """
}
