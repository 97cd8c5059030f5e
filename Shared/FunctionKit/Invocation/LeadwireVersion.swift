public import HTTPTypes

/// The release of Leadwire these functions and the runtime were built from: `runtime version`
/// prints it and every function's answer carries it (`X-Leadwire-Version`), so an operator can
/// tell which build answered.
public enum LeadwireVersion {
    public static let string = "0.5.0"
}

extension HTTPField.Name {
    public static let leadwireVersion = HTTPField.Name("X-Leadwire-Version")!
}
