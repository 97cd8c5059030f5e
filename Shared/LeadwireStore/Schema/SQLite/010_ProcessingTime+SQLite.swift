extension Schema.SQLite {
    /// Each intake log row says when its request arrived (`received_at`, `created_at` for
    /// Kommo), when processing finished (`processed_at`) and how long that took
    /// (`processing_ms`); rows from before this step have no duration.
    static let processingTime = """
        ALTER TABLE webhook_logs ADD COLUMN processing_ms INTEGER;
        ALTER TABLE kommo_webhook_logs ADD COLUMN processing_ms INTEGER;

        DROP VIEW inbound_logs;
        CREATE VIEW inbound_logs AS
        SELECT log_seq, 'kommo' AS source, 'kommo:' || id AS log_id, created_at AS received_at, event_type,
               status, NULL AS routing_decision, NULL AS pipeline_id, NULL AS lead_id, NULL AS utm_source,
               NULL AS utm_campaign, error_message, payload, results, raw_body, content_type, NULL AS outcome,
               processed_at, processing_ms
        FROM kommo_webhook_logs
        UNION ALL
        SELECT log_seq, source, source || ':' || id, received_at, NULL,
               processing_status, routing_decision, pipeline_id, lead_id, utm_source,
               utm_campaign, error_message, deal_data, NULL, NULL, NULL, outcome, processed_at, processing_ms
        FROM webhook_logs;
        """
}
