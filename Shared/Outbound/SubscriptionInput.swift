public import OutboundURLCheck
import LeadwireStore
public import FunctionKit

/// A subscription's fields from a request body, checked: seed 004's names and defaults
/// (`retryAttempts` 3, `retryDelay` 60 seconds, `timeoutMs` 10 000). For a PATCH every field
/// is optional and only those given change.
public struct SubscriptionInput: Sendable {
    public var name: String?
    public var url: OutboundURL?
    public var events: [String]?
    public var description: String??
    public var retryAttempts: Int64?
    public var retryDelay: Int64?
    public var timeoutMs: Int64?
    public var active: Bool?

    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    static let limits = (retryAttempts: 0...20, retryDelay: 1...86_400, timeoutMs: 100...30_000)
    static let known: Set<String> = ["name", "url", "events", "description", "retryAttempts", "retryDelay", "timeoutMs", "active"]

    /// `creating` requires name, url and events and fills in the defaults.
    public init(_ body: JSONValue, creating: Bool, allowPrivate: Bool) throws(Invalid) {
        guard let object = body.object else { throw Invalid(description: "The body must be a JSON object.") }
        if let unknown = object.keys.first(where: { !Self.known.contains($0) }) {
            throw Invalid(description: "Unknown field \"\(unknown)\"; the fields are \(Self.known.sorted().joined(separator: ", ")).")
        }
        if let value = object["name"] {
            guard let text = value.stringValue?.trimmingSpaces, !text.isEmpty, text.count <= 200 else {
                throw Invalid(description: "name must be a non-empty string of at most 200 characters.")
            }
            name = String(text)
        }
        if let value = object["url"] {
            guard let text = value.stringValue else { throw Invalid(description: "url must be a string.") }
            do {
                let url = try OutboundURL(text)
                _ = try url.checkedAddresses(allowPrivate: allowPrivate)
                self.url = url
            } catch {
                throw Invalid(description: error.description)
            }
        }
        if let value = object["events"] {
            guard case .array(let items) = value, !items.isEmpty, items.count <= 100 else {
                throw Invalid(description: "events must be a non-empty array of event names (\"*\" for all).")
            }
            var events: [String] = []
            for item in items {
                if let event = item.stringValue, event.hasPrefix("booking.") || event.hasPrefix("qr.") {
                    throw Invalid(description: "\(event): Leadwire keeps no bookings or QR codes, so it never sends \(event.prefix { $0 != "." }).* events; drop it.")
                }
                guard let event = item.stringValue, event == "*" || OutboundEvent.types.contains(event) else {
                    throw Invalid(description: "Unknown event \(item.jsonText); known: \(OutboundEvent.types.joined(separator: ", ")), or \"*\".")
                }
                if !events.contains(event) { events.append(event) }
            }
            self.events = events
        }
        if let value = object["description"] {
            if value == .null {
                description = .some(nil)
            } else {
                guard let text = value.stringValue, text.count <= 1000 else { throw Invalid(description: "description must be a string of at most 1000 characters.") }
                description = .some(text)
            }
        }
        retryAttempts = try Self.number(object, "retryAttempts", in: Self.limits.retryAttempts)
        retryDelay = try Self.number(object, "retryDelay", in: Self.limits.retryDelay)
        timeoutMs = try Self.number(object, "timeoutMs", in: Self.limits.timeoutMs)
        if let value = object["active"] {
            guard case .bool(let flag) = value else { throw Invalid(description: "active must be true or false.") }
            active = flag
        }
        if creating {
            guard name != nil, url != nil, events != nil else { throw Invalid(description: "name, url and events are required.") }
        }
    }

    private static func number(_ object: JSONObject, _ key: String, in range: ClosedRange<Int>) throws(Invalid) -> Int64? {
        guard let value = object[key] else { return nil }
        guard case .number = value, let number = value.int64, range.contains(Int(number)) else {
            throw Invalid(description: "\(key) must be a whole number from \(range.lowerBound) to \(range.upperBound).")
        }
        return number
    }
}

extension JSONValue {
    /// The text of a JSON string, and nothing else (a number is not a name).
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
