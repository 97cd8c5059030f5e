import HTTPTypes

/// Reads a request as CGI/1.1 (RFC 3875) delivers it: meta-variables in the environment and
/// exactly CONTENT_LENGTH bytes on stdin (never more: some hosts keep the pipe open).
public enum CGIRequest {
    public static func read(environment: Environment, maxBodyBytes: Int) throws(HTTPError) -> Request {
        try request(from: environment, maxBodyBytes: maxBodyBytes) { length in FileDescriptorIO.read(exactly: length, from: 0) }
    }

    /// The request the meta-variables describe, its body taken from `readBody` (given the
    /// declared length) unless it is over the limit. FastCGI passes the body it gathered.
    public static func request(
        from environment: Environment, maxBodyBytes: Int, readBody: (Int) -> [UInt8]
    ) throws(HTTPError) -> Request {
        let methodName = environment["REQUEST_METHOD"] ?? "GET"
        guard let method = HTTPRequest.Method(methodName) else {
            throw .badRequest("REQUEST_METHOD \"\(methodName)\" is not an HTTP method.")
        }
        var request = Request(
            method: method,
            path: (environment["SCRIPT_NAME"] ?? "") + (environment["PATH_INFO"] ?? ""),
            query: QueryParameters(queryString: environment["QUERY_STRING"] ?? ""),
            headers: headers(from: environment),
            remoteAddress: environment["REMOTE_ADDR"])
        if request.path.isEmpty { request.path = "/" }

        guard let lengthText = environment["CONTENT_LENGTH"] else { return request }
        guard let length = Int(lengthText), length >= 0 else {
            throw .badRequest("CONTENT_LENGTH \"\(lengthText)\" is not a byte count.")
        }
        if length > maxBodyBytes {
            request.bodyLimitExceeded = BodyLimitExceeded(length: length, limit: maxBodyBytes)
            return request
        }
        // Never more than declared; fewer is kept as it arrived, so the function can log the
        // bytes it got before refusing them (see `Request.requireCompleteBody`).
        request.body = Array(readBody(length).prefix(length))
        if request.body.count < length {
            request.truncatedBody = TruncatedBody(received: request.body.count, declared: length)
        }
        return request
    }

    /// HTTP_* meta-variables back to header fields (HTTP_X_KOMMO_TOKEN → x-kommo-token), plus
    /// CONTENT_TYPE and CONTENT_LENGTH, which RFC 3875 passes without the prefix.
    static func headers(from environment: Environment) -> HTTPFields {
        var fields = HTTPFields()
        for (name, value) in environment.values.sorted(by: { $0.key < $1.key }) {
            let headerName: String
            switch name {
            case "CONTENT_TYPE": headerName = "content-type"
            case "CONTENT_LENGTH": headerName = "content-length"
            // nginx also sends these two as HTTP_*; CONTENT_TYPE and CONTENT_LENGTH are the ones that count.
            case "HTTP_CONTENT_TYPE", "HTTP_CONTENT_LENGTH": continue
            case _ where name.hasPrefix("HTTP_") && name.utf8.count > 5:
                headerName = fieldName(fromMetaVariable: name)
            default: continue
            }
            if let fieldName = HTTPField.Name(headerName) {
                fields.append(HTTPField(name: fieldName, value: value))
            }
        }
        return fields
    }

    /// HTTP_X_KOMMO_TOKEN → x-kommo-token, byte by byte (ASCII letters lowered, `_` to `-`).
    private static func fieldName(fromMetaVariable name: String) -> String {
        String(
            decoding: name.utf8.dropFirst(5).map { byte in
                switch byte {
                case UInt8(ascii: "_"): UInt8(ascii: "-")
                case UInt8(ascii: "A")...UInt8(ascii: "Z"): byte + 32
                default: byte
                }
            }, as: UTF8.self)
    }
}
