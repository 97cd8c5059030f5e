public import FunctionKit
import HTTPTypes

/// The senders an inbound webhook function accepts, from `LEADWIRE_<FUNCTION>_ALLOWED_IPS`:
/// addresses and CIDR ranges, IPv4 and IPv6, separated by commas or spaces
/// (`"195.201.0.0/16, 2a01:4f8::/32, 203.0.113.7"`). Unset, anyone may send. The sender is the
/// request's `REMOTE_ADDR`: behind a reverse proxy, the host configuration's trusted proxies
/// make that the real sender. A replay is not checked (the admin key that asked for it was).
public struct SenderAllowlist: Sendable {
    public let variable: String
    /// Nil when unset: no check.
    let ranges: [AddressRange]?

    public init(_ environment: Environment, variable: String) throws(ConfigurationError) {
        self.variable = variable
        guard !environment.isReplay, let text = environment[variable] else {
            ranges = nil
            return
        }
        var ranges: [AddressRange] = []
        for entry in text.split(whereSeparator: { $0 == "," || $0 == " " }) where !entry.isEmpty {
            guard let range = AddressRange(String(entry)) else {
                throw ConfigurationError(message: "\(variable) has \"\(entry)\", which is neither an IP address nor a CIDR range (10.0.0.0/8, 2001:db8::/32).")
            }
            ranges.append(range)
        }
        guard !ranges.isEmpty else { throw ConfigurationError(message: "\(variable) is set but lists no address.") }
        self.ranges = ranges
    }

    /// Throws 403 (and logs the refusal) unless the sender is on the list.
    public func verify(_ request: Request, logger: Logger) throws(HTTPError) {
        guard let ranges else { return }
        let sender = request.remoteAddress ?? ""
        if let address = AddressRange.bytes(of: sender), ranges.contains(where: { $0.contains(address) }) { return }
        logger.error("sender_refused", ["remote_addr": .string(sender), "setting": .string(variable)])
        throw HTTPError(.forbidden, code: .senderNotAllowed, message: "This sender's address is not in \(variable).")
    }
}
