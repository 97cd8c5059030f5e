extension Schema.SQLite {
    /// The dashboard's ranges: leads by when they were first stored, calls by when they started,
    /// sales by when they were won (or, when amoCRM gave no time, were recorded), deliveries by
    /// when they were tried.
    static let dashboardIndexes = """
        CREATE INDEX kommo_leads_created_at ON kommo_leads (created_at);
        CREATE INDEX idx_knowlarity_calls_started_at ON knowlarity_calls (started_at);
        CREATE INDEX idx_all_sales_tracking_sold_at ON all_sales_tracking (sold_at);
        CREATE INDEX idx_all_sales_tracking_unsold ON all_sales_tracking (created_at) WHERE sold_at IS NULL;
        CREATE INDEX idx_referral_sales_sold_at ON referral_sales (sold_at);
        CREATE INDEX idx_referral_sales_unsold ON referral_sales (created_at) WHERE sold_at IS NULL;
        CREATE INDEX idx_webhook_deliveries_created_at ON webhook_deliveries (created_at);
        """
}
