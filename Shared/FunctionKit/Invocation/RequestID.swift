public import HTTPTypes
import SystemCrypto

/// The id that ties one request's traces together: the function's JSON log lines carry it as
/// `request_id`, the answer carries it as `X-Request-Id`, and every generated host
/// configuration writes that answer header into its access log. A sender or reverse proxy that
/// already numbers its requests keeps its own id.
public enum RequestID {
    /// Longer ids are not kept: they would let one request bloat every log line.
    public static let maximumLength = 128

    /// The request's `X-Request-Id` when it is a plain token (letters, digits, `-`, `_`, `.`,
    /// `:`; at most 128), else a new random one (32 hex digits, as nginx's `$request_id`).
    public static func of(_ meta: Environment) -> String {
        if let given = meta["HTTP_X_REQUEST_ID"], given.utf8.count <= maximumLength, given.utf8.allSatisfy(isTokenByte) {
            return given
        }
        return generate()
    }

    static func generate() -> String { Hex.encode(RandomBytes.make(16)) }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: ":"): true
        default: false
        }
    }
}

extension HTTPField.Name {
    public static let requestID = HTTPField.Name("X-Request-Id")!
}
