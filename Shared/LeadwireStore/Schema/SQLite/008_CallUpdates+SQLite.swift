extension Schema.SQLite {
    /// Knowlarity sends several events for one call (started, completed, the call-log record):
    /// later ones fill in the call's row (its status, and how many events it took), and each
    /// intake log row says what its request did (`outcome`: `new_lead`, `updated`, …).
    static let callUpdates = """
        ALTER TABLE knowlarity_calls ADD COLUMN call_status TEXT;
        ALTER TABLE knowlarity_calls ADD COLUMN events_received INTEGER NOT NULL DEFAULT 1;
        ALTER TABLE knowlarity_calls ADD COLUMN updated_at TEXT;
        ALTER TABLE webhook_logs ADD COLUMN outcome TEXT;

        DROP VIEW inbound_logs;
        CREATE VIEW inbound_logs AS
        SELECT log_seq, 'kommo' AS source, 'kommo:' || id AS log_id, created_at AS received_at, event_type,
               status, NULL AS routing_decision, NULL AS pipeline_id, NULL AS lead_id, NULL AS utm_source,
               NULL AS utm_campaign, error_message, payload, results, raw_body, content_type, NULL AS outcome
        FROM kommo_webhook_logs
        UNION ALL
        SELECT log_seq, source, source || ':' || id, received_at, NULL,
               processing_status, routing_decision, pipeline_id, lead_id, utm_source,
               utm_campaign, error_message, deal_data, NULL, NULL, NULL, outcome
        FROM webhook_logs;
        """
}
