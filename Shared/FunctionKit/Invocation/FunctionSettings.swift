public import LeadwireCore

/// The request limits and the storing deadline every function reads.
public struct FunctionSettings: Sendable {
    /// LEADWIRE_MAX_BODY_BYTES: larger request bodies are answered with 413 and never read.
    public var maxBodyBytes: Int

    /// LEADWIRE_WEBHOOK_DEADLINE_MS: an inbound webhook not stored this long after it arrived
    /// is rolled back and answered 503, so the sender retries instead of taking a late answer
    /// for a failure (Kommo waits 2 seconds).
    public var webhookDeadline: Duration

    /// LEADWIRE_MAX_FORM_KEYS, LEADWIRE_MAX_NESTING_DEPTH, LEADWIRE_MAX_FORM_INDEX: how complex
    /// a body may be (see `FormLimits`).
    public var bodyLimits: FormLimits

    public static let defaultMaxBodyBytes = 1_048_576
    public static let defaultWebhookDeadlineMilliseconds = 1_500

    public init(_ environment: Environment) throws(ConfigurationError) {
        maxBodyBytes = try environment.integer("LEADWIRE_MAX_BODY_BYTES", default: Self.defaultMaxBodyBytes)
        webhookDeadline = .milliseconds(
            try environment.integer("LEADWIRE_WEBHOOK_DEADLINE_MS", default: Self.defaultWebhookDeadlineMilliseconds))
        bodyLimits = FormLimits(
            maxFields: try environment.integer("LEADWIRE_MAX_FORM_KEYS", default: FormLimits.defaultMaxFields),
            maxDepth: try environment.integer("LEADWIRE_MAX_NESTING_DEPTH", default: FormLimits.defaultMaxDepth),
            maxIndex: try environment.integer("LEADWIRE_MAX_FORM_INDEX", default: FormLimits.defaultMaxIndex))
    }
}
