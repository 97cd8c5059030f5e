extension Schema.Postgres {
    /// Requests per sender and function in the current minute, and how far each polling
    /// backup has read its provider's log (see the SQLite twin).
    static let intakeControls = """
        CREATE TABLE sender_rate_limits (
            function     text NOT NULL,
            address      text NOT NULL,
            window_start bigint NOT NULL,
            count        integer NOT NULL,
            PRIMARY KEY (function, address)
        );
        CREATE TABLE poll_cursors (
            name         text PRIMARY KEY,
            polled_until text NOT NULL,
            updated_at   timestamptz(3) NOT NULL DEFAULT now()
        );
        """
}
