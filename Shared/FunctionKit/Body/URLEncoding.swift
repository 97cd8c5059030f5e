import SystemCrypto

/// `application/x-www-form-urlencoded` pairs (WHATWG URL standard): split on `&`, then on the
/// first `=`, `+` is a space, `%XX` is a byte. Query strings use the same rules.
public enum URLEncoding {
    /// Name/value pairs in arrival order. Empty segments (`a=1&&b=2`) are skipped.
    ///
    /// The parsers take concrete byte arrays: a generic function called from another module is
    /// not specialized, and walking 1 MiB through protocol witnesses costs tens of milliseconds.
    public static func pairs(_ bytes: [UInt8]) -> [(name: String, value: String)] {
        bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).map { segment in
            if let equals = segment.firstIndex(of: UInt8(ascii: "=")) {
                return (decode(segment[..<equals]), decode(segment[segment.index(after: equals)...]))
            }
            return (decode(segment), "")
        }
    }

    public static func pairs(_ text: String) -> [(name: String, value: String)] {
        pairs(Array(text.utf8))
    }

    /// Decodes one component. A `%` not followed by two hex digits is kept as it is, as browsers
    /// do; byte sequences that are not UTF-8 become U+FFFD rather than failing the whole body.
    public static func decode(_ component: [UInt8]) -> String { decode(component[...]) }

    public static func decode(_ component: ArraySlice<UInt8>) -> String {
        // Most names and values have nothing to decode: then the bytes are the text.
        if !component.contains(where: { $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "%") }) {
            return String(decoding: component, as: UTF8.self)
        }
        var output: [UInt8] = []
        decode(component, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The decoded bytes of one component, appended to `output` (not yet checked as UTF-8).
    public static func decode(_ component: ArraySlice<UInt8>, into output: inout [UInt8]) {
        output.reserveCapacity(output.count + component.count)
        var index = component.startIndex
        while index < component.endIndex {
            let byte = component[index]
            if byte == UInt8(ascii: "+") {
                output.append(UInt8(ascii: " "))
            } else if byte == UInt8(ascii: "%"), index + 2 < component.endIndex, let value = hexValue(component[index + 1], component[index + 2]) {
                output.append(value)
                index += 2
            } else {
                output.append(byte)
            }
            index += 1
        }
    }

    private static func hexValue(_ high: UInt8, _ low: UInt8) -> UInt8? {
        guard let high = Hex.value(of: high), let low = Hex.value(of: low) else { return nil }
        return high << 4 | low
    }
}

extension URLEncoding {
    /// Decodes a URL path as a CGI host does for PATH_INFO: `%XX` only, `+` stays a plus.
    public static func decodePath(_ path: String) -> String {
        decode(Array(path.utf8).map { $0 == UInt8(ascii: "+") ? 0 : $0 }).replacing("\u{0}", with: "+")
    }

    /// A query component percent-encoded: everything but RFC 3986's unreserved characters.
    public static func encode(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                encoded += "%" + String(byte >> 4, radix: 16, uppercase: true) + String(byte & 0xF, radix: 16, uppercase: true)
            }
        }
        return encoded
    }

    /// `name=value&…`, each part encoded.
    public static func query(_ pairs: [(String, String)]) -> String {
        pairs.map { encode($0.0) + "=" + encode($0.1) }.joined(separator: "&")
    }
}
