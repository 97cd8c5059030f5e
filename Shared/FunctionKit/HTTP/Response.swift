public import HTTPTypes

/// What a function answers: a status, headers and either a complete body or one produced
/// while it is written.
public struct Response: Sendable {
    public var status: HTTPResponse.Status
    public var headers: HTTPFields
    public var body: [UInt8]
    /// When set, replaces `body`: produced as it is sent, for bodies too large to hold.
    public var streamingBody: StreamingBody?

    public init(
        status: HTTPResponse.Status = .ok, headers: HTTPFields = HTTPFields(), body: [UInt8] = [], streamingBody: StreamingBody? = nil
    ) {
        self.status = status
        self.headers = headers
        self.body = body
        self.streamingBody = streamingBody
    }

    /// A JSON body with `Content-Type: application/json`.
    public static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: Array(value.jsonText.utf8))
    }
}
