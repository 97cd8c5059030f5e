extension Schema.SQLite {
    /// The dashboard's ranges: leads by when they were first stored, calls by when they started,
    /// sales by when they were won (their day is the sale time, or the recording time when
    /// amoCRM gave none, so the index is on that expression).
    static let dashboardIndexes = """
        CREATE INDEX kommo_leads_created_at ON kommo_leads (created_at);
        CREATE INDEX idx_knowlarity_calls_started_at ON knowlarity_calls (started_at);
        CREATE INDEX idx_all_sales_tracking_day ON all_sales_tracking (coalesce(sold_at, created_at));
        CREATE INDEX idx_referral_sales_day ON referral_sales (coalesce(sold_at, created_at));
        CREATE INDEX idx_webhook_deliveries_created_at ON webhook_deliveries (created_at);
        """
}
