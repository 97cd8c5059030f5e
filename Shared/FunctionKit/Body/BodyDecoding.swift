import HTTPTypes

/// The media types inbound webhooks may use.
public enum BodyFormat: String, Sendable {
    case json = "application/json"
    case form = "application/x-www-form-urlencoded"
}

extension Request {
    /// The body as one tree, parsed by its Content-Type: JSON, or form fields with PHP-style
    /// nested keys. CRMs are inconsistent about the header, so a missing Content-Type is
    /// sniffed: a body starting with `{` or `[` is JSON, anything else form fields.
    ///
    /// Throws 413 for a body over the limit, 415 for another media type, 400 for a body that
    /// does not parse as its type says or goes past one of `limits` (naming it).
    public func decodedBody(accepting formats: [BodyFormat] = [.json, .form], limits: FormLimits = FormLimits()) throws(HTTPError)
        -> JSONValue
    {
        try requireBodyWithinLimit()
        try requireCompleteBody()
        let format: BodyFormat
        if let mediaType {
            guard let declared = BodyFormat(rawValue: mediaType), formats.contains(declared) else {
                throw .unsupportedMediaType(mediaType, accepted: formats.map(\.rawValue))
            }
            format = declared
        } else {
            format = Self.startsAsJSON(body) ? .json : .form
            guard formats.contains(format) else { throw .unsupportedMediaType(nil, accepted: formats.map(\.rawValue)) }
        }
        guard !body.isEmpty else { throw .badRequest("The body is empty.", code: .emptyBody) }
        switch format {
        case .json:
            do {
                return try JSONValue(parsing: body, maxDepth: limits.maxDepth)
            } catch {
                throw .badRequest("The body is not valid JSON: \(error).", code: .invalidJson)
            }
        case .form:
            // `curl -d '{…}'` sends JSON labelled as form fields: read as a form it would be one
            // meaningless field, and the event would be "ignored" without a word.
            if Self.startsAsJSON(body), (try? JSONValue(parsing: body, maxDepth: limits.maxDepth)) != nil {
                throw HTTPError(
                    .unsupportedMediaType, code: .jsonSentAsForm,
                    message: "The body is JSON, but its Content-Type is application/x-www-form-urlencoded (what curl -d sends without -H): "
                        + "send it with Content-Type: application/json.")
            }
            guard String(validating: body, as: UTF8.self) != nil else {
                throw .badRequest("The form body is not valid UTF-8.", code: .invalidForm)
            }
            do {
                return try PHPFormTree.parse(body, limits: limits)
            } catch {
                throw .badRequest(error.description, code: .formTooComplex)
            }
        }
    }

    /// Whether the first byte that is not white space opens a JSON object or array.
    static func startsAsJSON(_ body: [UInt8]) -> Bool {
        let first = body.first { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    /// Throws 400 when the body ended before its declared length.
    public func requireCompleteBody() throws(HTTPError) {
        if let truncated = truncatedBody {
            throw .badRequest("The body ended after \(truncated.received) of \(truncated.declared) bytes.", code: .truncatedBody)
        }
    }

    /// Throws 413 when the declared body exceeded the limit and was therefore not read.
    public func requireBodyWithinLimit() throws(HTTPError) {
        if let exceeded = bodyLimitExceeded {
            throw .payloadTooLarge(length: exceeded.length, limit: exceeded.limit)
        }
    }
}
