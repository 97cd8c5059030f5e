public import FunctionKit

/// What resumes a waiting Salesbot: `POST {return_url}` with `{"data": {…}, "execute_handlers":
/// […]}`. `data`'s fields become `{{json.<key>}}` in the bot's later steps; the handlers run in
/// order (`show` a text or buttons, `goto` a step). Kommo takes at most 10 handlers, 25
/// buttons to a handler and 80 characters to a button, so a reply is checked against those
/// before it is sent.
public struct SalesbotReply: Sendable, Equatable {
    public let body: JSONValue

    public static let maxHandlers = 10
    public static let maxButtons = 25
    public static let maxButtonCharacters = 80

    public struct Invalid: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// A text shown to the contact, with `json.status`, `json.reply` and `json.source` for the bot.
    public static func text(_ text: String, source: String) -> SalesbotReply {
        SalesbotReply(
            checked: .object(
                JSONObject([
                    ("data", ["status": "ok", "reply": .string(text), "source": .string(source)]),
                    ("execute_handlers", [["handler": "show", "params": ["type": "text", "value": .string(text)]]]),
                ])))
    }

    private init(checked body: JSONValue) { self.body = body }

    /// A responder's answer: a whole continuation (`data` and/or `execute_handlers`), or just
    /// `{"reply": "text"}`.
    public init(responderAnswer answer: JSONValue) throws(Invalid) {
        if answer["execute_handlers"] == nil && answer["data"] == nil, let text = answer["reply"]?.text, !text.isEmpty {
            self = .text(text, source: "responder")
            return
        }
        try Self.check(answer)
        body = answer
    }

    static func check(_ body: JSONValue) throws(Invalid) {
        guard case .object = body else { throw Invalid(description: "the reply is not a JSON object") }
        if let data = body["data"], case .object = data {} else if body["data"] != nil { throw Invalid(description: "`data` is not an object") }
        if body["execute_handlers"] != nil && body["execute_handlers"]?.elements == nil { throw Invalid(description: "`execute_handlers` is not a list") }
        guard body["data"] != nil || body["execute_handlers"] != nil else {
            throw Invalid(description: "the reply has neither `data` nor `execute_handlers` (nor `reply`)")
        }
        let handlers = body["execute_handlers"]?.elements ?? []
        guard handlers.count <= maxHandlers else { throw Invalid(description: "\(handlers.count) handlers; Kommo runs at most \(maxHandlers)") }
        for (index, handler) in handlers.enumerated() {
            guard handler["handler"]?.text?.isEmpty == false else { throw Invalid(description: "handler \(index) has no `handler` name") }
            guard let buttons = handler["params"]?["buttons"] else { continue }
            guard let list = buttons.elements, list.count <= maxButtons else {
                throw Invalid(description: "handler \(index) has more than \(maxButtons) buttons, or `buttons` is not a list")
            }
            for button in list {
                let text = button.text ?? button["text"]?.text ?? button["value"]?.text ?? ""
                guard text.count <= maxButtonCharacters else {
                    throw Invalid(description: "a button of handler \(index) has \(text.count) characters; Kommo allows \(maxButtonCharacters)")
                }
            }
        }
    }
}
