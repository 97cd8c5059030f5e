/// Settings the tests share.
public enum TestSettings {
    /// Every webhook opened to unauthenticated senders by name, as an operator can: for tests
    /// about what a webhook does with a body, not about who may send it (the intake is closed
    /// by default, and `IntakeClosedByDefaultTests` and the token tests prove that).
    public static let openIntake = [
        "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none", "LEADWIRE_AMOCRM_WEBHOOK_AUTH": "none", "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH": "none",
    ]

    /// A deadline for storing an inbound webhook that a loaded test machine cannot miss. The
    /// default (1.5 s, inside Kommo's 2 s) is a budget for a release build on a server; a debug
    /// build creating a fresh database on two cores beside thirty other test processes has
    /// missed it, and answered 503 as designed. The tests about the deadline set their own.
    public static let patientDeadline = ["LEADWIRE_WEBHOOK_DEADLINE_MS": "60000"]
}
