import FunctionKit

/// Where a sale goes. Seed 001's four routes.
enum RoutingDecision: String {
    case referral, traffic, both, unknown
}

struct Routing: Equatable {
    var decision: RoutingDecision
    /// The code after the referral prefix, when the sale is a referral.
    var referralCode: String?
    /// The targetologist whose pattern matched, when the sale is a traffic sale.
    var targetologist: String?
}

/// Decides a sale's route from its UTM values:
/// - referral: `utm_source` starts with the referral prefix (`ref_` by default, any case) and a
///   code follows it;
/// - traffic: any UTM value matches one of a targetologist's patterns;
/// - both when both hold, unknown when neither does.
///
/// Targetologists come from LEADWIRE_AMOCRM_TARGETOLOGISTS as `Name=pattern,pattern;Name=pattern`,
/// where a pattern is a case-insensitive glob (`*` any text, `?` one character), e.g.
/// `Kenesary=kenesary*;Arman=arman_*,*_arman`. The first targetologist in that order that matches wins.
struct RoutingRules {
    struct Targetologist: Equatable {
        let name: String
        let patterns: [String]
    }

    let referralPrefix: String
    let targetologists: [Targetologist]

    init(referralPrefix: String = "ref_", targetologists specification: String?) throws(ConfigurationError) {
        self.referralPrefix = referralPrefix.lowercased()
        var targetologists: [Targetologist] = []
        for entry in AmoCRMSettings.list(specification, separator: ";") {
            let parts = entry.split(separator: "=", maxSplits: 1).map { String($0.trimmingSpaces) }
            let patterns = parts.count == 2 ? AmoCRMSettings.list(parts[1], separator: ",").map { $0.lowercased() } : []
            guard parts.count == 2, !parts[0].isEmpty, !patterns.isEmpty else {
                throw ConfigurationError(
                    message: "LEADWIRE_AMOCRM_TARGETOLOGISTS takes Name=pattern,pattern;Name=pattern, got \"\(entry)\".")
            }
            targetologists.append(Targetologist(name: parts[0], patterns: patterns))
        }
        self.targetologists = targetologists
    }

    func route(_ utm: UTMValues) -> Routing {
        var referralCode: String?
        if let source = utm[.source], source.lowercased().hasPrefix(referralPrefix) {
            let code = String(source.dropFirst(referralPrefix.count))
            if !code.isEmpty { referralCode = code }
        }
        let values = UTMParameter.allCases.compactMap { utm[$0]?.lowercased() }
        let targetologist = targetologists.first { person in
            person.patterns.contains { pattern in values.contains { glob(pattern, matches: $0) } }
        }?.name
        let decision: RoutingDecision =
            switch (referralCode != nil, targetologist != nil) {
            case (true, true): .both
            case (true, false): .referral
            case (false, true): .traffic
            case (false, false): .unknown
            }
        return Routing(decision: decision, referralCode: referralCode, targetologist: targetologist)
    }
}

/// Glob matching over characters: `*` matches any run (also empty), `?` exactly one.
func glob(_ pattern: String, matches text: String) -> Bool {
    let pattern = Array(pattern)
    let text = Array(text)
    var (p, t) = (0, 0)
    var backtrack: (pattern: Int, text: Int)?
    while t < text.count {
        if p < pattern.count, pattern[p] == "?" || pattern[p] == text[t] {
            p += 1
            t += 1
        } else if p < pattern.count, pattern[p] == "*" {
            backtrack = (p, t)
            p += 1
        } else if let star = backtrack {
            // Let the last `*` swallow one more character and retry from there.
            p = star.pattern + 1
            t = star.text + 1
            backtrack = (star.pattern, star.text + 1)
        } else {
            return false
        }
    }
    while p < pattern.count, pattern[p] == "*" { p += 1 }
    return p == pattern.count
}
