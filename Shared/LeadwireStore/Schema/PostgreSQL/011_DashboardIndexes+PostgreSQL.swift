extension Schema.Postgres {
    /// The dashboard's ranges. As SQLite's 011, but for the sales: their day is `sold_at` (text)
    /// read as a time, which PostgreSQL cannot index (the cast depends on the session), and a
    /// range over every sale is quick at the sizes sales reach.
    static let dashboardIndexes = """
        CREATE INDEX IF NOT EXISTS kommo_leads_created_at ON kommo_leads (created_at);
        CREATE INDEX IF NOT EXISTS idx_knowlarity_calls_started_at ON knowlarity_calls (started_at);
        CREATE INDEX IF NOT EXISTS idx_webhook_deliveries_created_at ON webhook_deliveries (created_at);
        """
}
