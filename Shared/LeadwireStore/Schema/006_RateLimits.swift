extension Schema {
    /// Requests per sender and function in the current minute, shared by every process that
    /// writes this store (`LEADWIRE_<FUNCTION>_RATE_LIMIT`).
    static let rateLimits = """
        CREATE TABLE sender_rate_limits (
            function     TEXT NOT NULL,
            address      TEXT NOT NULL,
            window_start INTEGER NOT NULL,
            count        INTEGER NOT NULL,
            PRIMARY KEY (function, address)
        ) WITHOUT ROWID;
        """
}
