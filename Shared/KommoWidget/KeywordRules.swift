public import FunctionKit

/// The built-in reply, for users without a responder service: the first rule with a keyword
/// found in the widget's data (any text value, case-insensitive) gives the reply; else the
/// fallback. Read from LEADWIRE_WIDGET_RULES (or the file LEADWIRE_WIDGET_RULES_FILE names):
///
///     {"rules": [{"keywords": ["price", "cost"], "reply": "Our prices: …"}],
///      "fallback": "Thanks! A manager will answer shortly."}
public struct KeywordRules: Sendable {
    public struct Rule: Sendable {
        let keywords: [String]
        let reply: String
    }

    let rules: [Rule]
    public let fallback: String

    public static let defaultFallback = "Thank you! We have your message and will answer shortly."

    public init(rules: [Rule] = [], fallback: String = defaultFallback) {
        self.rules = rules
        self.fallback = fallback
    }

    /// From the rules file's JSON text; a mistake in it names what is wrong.
    public init(parsing text: String) throws(ConfigurationError) {
        let json: JSONValue
        do { json = try JSONValue(parsing: text) } catch { throw ConfigurationError(message: "LEADWIRE_WIDGET_RULES is not JSON: \(error)") }
        var rules: [Rule] = []
        for (index, rule) in (json["rules"]?.elements ?? []).enumerated() {
            guard let keywords = rule["keywords"]?.elements?.compactMap({ $0.text?.lowercased() }), !keywords.isEmpty, let reply = rule["reply"]?.text,
                !reply.isEmpty
            else { throw ConfigurationError(message: "LEADWIRE_WIDGET_RULES: rule \(index) needs `keywords` (a list of texts) and `reply`.") }
            rules.append(Rule(keywords: keywords, reply: reply))
        }
        self.init(rules: rules, fallback: json["fallback"]?.text ?? Self.defaultFallback)
    }

    /// The reply for a widget's data, and which rule (or the fallback) gave it.
    public func reply(to data: JSONValue) -> SalesbotReply {
        let texts = (data.object?.members ?? []).compactMap { $0.value.text?.lowercased() }
        for rule in rules where rule.keywords.contains(where: { keyword in texts.contains { $0.contains(keyword) } }) {
            return .text(rule.reply, source: "rules")
        }
        return .text(fallback, source: "fallback")
    }
}
