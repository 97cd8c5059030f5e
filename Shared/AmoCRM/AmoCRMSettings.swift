import FunctionKit

/// amocrm-webhook's settings, each an environment variable (see the README's table).
struct AmoCRMSettings {
    /// LEADWIRE_AMOCRM_PIPELINE_IDS: pipelines whose won deals are sales; unset means every pipeline.
    var pipelineIDs: Set<Int64>
    /// LEADWIRE_AMOCRM_WON_STATUS_IDS: statuses that mean won (amoCRM's built-in one is 142).
    var wonStatusIDs: Set<Int64>
    /// LEADWIRE_AMOCRM_UTM_FIELD_IDS: custom-field ids to read UTM values from, `utm_source=123,...`,
    /// for accounts whose UTM fields have other names.
    var utmFieldIDs: [Int64: UTMParameter]
    var routing: RoutingRules

    init(_ environment: Environment) throws(ConfigurationError) {
        pipelineIDs = try Self.ids(environment, "LEADWIRE_AMOCRM_PIPELINE_IDS", default: [])
        wonStatusIDs = try Self.ids(environment, "LEADWIRE_AMOCRM_WON_STATUS_IDS", default: [142])
        utmFieldIDs = [:]
        for entry in Self.list(environment["LEADWIRE_AMOCRM_UTM_FIELD_IDS"], separator: ",") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0.trimmingSpaces) }
            guard parts.count == 2, let parameter = UTMParameter(rawValue: parts[0].lowercased()), let id = Int64(parts[1]) else {
                throw ConfigurationError(message: "LEADWIRE_AMOCRM_UTM_FIELD_IDS takes utm_source=<field id>,..., got \"\(entry)\".")
            }
            utmFieldIDs[id] = parameter
        }
        routing = try RoutingRules(
            referralPrefix: environment["LEADWIRE_AMOCRM_REFERRAL_PREFIX"] ?? "ref_",
            targetologists: environment["LEADWIRE_AMOCRM_TARGETOLOGISTS"])
    }

    func isSale(pipelineID: Int64?, statusID: Int64?) -> Bool {
        guard let statusID, wonStatusIDs.contains(statusID) else { return false }
        return pipelineIDs.isEmpty || pipelineID.map(pipelineIDs.contains) == true
    }

    static func list(_ text: String?, separator: Character) -> [String] {
        (text ?? "").split(separator: separator).map { String($0.trimmingSpaces) }.filter { !$0.isEmpty }
    }

    private static func ids(_ environment: Environment, _ name: String, default defaultValue: Set<Int64>) throws(ConfigurationError)
        -> Set<Int64>
    {
        guard let text = environment[name] else { return defaultValue }
        var ids = Set<Int64>()
        for item in list(text, separator: ",") {
            guard let id = Int64(item) else { throw ConfigurationError(message: "\(name) takes comma-separated ids, got \"\(text)\".") }
            ids.insert(id)
        }
        return ids
    }
}
