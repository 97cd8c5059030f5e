import FunctionKit

/// The alert rules' thresholds, read once at start. A threshold of 0 turns its rule off.
struct AlertSettings: Sendable {
    /// How often the worker evaluates the rules.
    var checkSeconds: Int
    /// Intake errors (log rows with status `error`) within the window that raise an alert.
    var intakeErrors: Int
    var intakeWindowMinutes: Int
    /// Failed deliveries in a row, to one subscription, that raise an alert.
    var deliveryFailures: Int
    /// How old the oldest sendable pending message may grow.
    var pendingMinutes: Int
    /// Poll intervals a poller may go without finishing a pass.
    var pollerMissedPasses: Int
    /// Each poller's interval, to tell a missed pass from a slow one.
    var knowlarityPollSeconds: Int
    var amocrmPollSeconds: Int

    init(_ environment: Environment) throws(ConfigurationError) {
        checkSeconds = max(1, try environment.integer("LEADWIRE_ALERT_CHECK_SECONDS", default: 60))
        intakeErrors = try environment.integer("LEADWIRE_ALERT_INTAKE_ERRORS", default: 10, allowingZero: true)
        intakeWindowMinutes = max(1, try environment.integer("LEADWIRE_ALERT_INTAKE_WINDOW_MINUTES", default: 15))
        deliveryFailures = try environment.integer("LEADWIRE_ALERT_DELIVERY_FAILURES", default: 5, allowingZero: true)
        pendingMinutes = try environment.integer("LEADWIRE_ALERT_PENDING_MINUTES", default: 30, allowingZero: true)
        pollerMissedPasses = try environment.integer("LEADWIRE_ALERT_POLLER_MISSED_PASSES", default: 3, allowingZero: true)
        knowlarityPollSeconds = try environment.integer("LEADWIRE_KNOWLARITY_POLL_SECONDS", default: 30)
        amocrmPollSeconds = try environment.integer("LEADWIRE_AMOCRM_POLL_SECONDS", default: 300)
    }
}
