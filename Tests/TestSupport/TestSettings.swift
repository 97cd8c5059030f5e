/// Settings the tests share.
public enum TestSettings {
    /// Every webhook opened to unauthenticated senders by name, as an operator can: for tests
    /// about what a webhook does with a body, not about who may send it (the intake is closed
    /// by default, and `IntakeClosedByDefaultTests` and the token tests prove that).
    public static let openIntake = [
        "LEADWIRE_KOMMO_WEBHOOK_AUTH": "none", "LEADWIRE_AMOCRM_WEBHOOK_AUTH": "none", "LEADWIRE_KNOWLARITY_WEBHOOK_AUTH": "none",
    ]
}
