/// One setting: an environment variable Leadwire reads, with its default, who reads it and what it
/// means. Every setting is declared once, in `Setting.all`; README's Configuration table and
/// `deploy/leadwire.env.example` are written from the declarations (`scripts/docs`), and a test
/// fails while they differ or while the code names a setting that is not declared.
public struct Setting: Sendable {
    public enum Default: Sendable {
        /// A value the code uses when the variable is unset, with an optional remark.
        case value(String, note: String? = nil)
        /// Unset means off, or the behaviour the remark names.
        case unset(String? = nil)
        /// A default computed where the setting is read ("4 per core").
        case described(String)
    }

    public let name: String
    public let defaultValue: Default
    /// Who reads it: functions, `runtime` commands, the worker.
    public let usedBy: String
    public let meaning: String

    public init(_ name: String, _ defaultValue: Default, usedBy: String, _ meaning: String) {
        self.name = name
        self.defaultValue = defaultValue
        self.usedBy = usedBy
        self.meaning = meaning
    }

    /// Set by Leadwire for the processes it starts, never by an operator.
    public static let internalNames = ["LEADWIRE_FASTCGI_PARENT_PID", "LEADWIRE_REPLAY_OF"]
}
