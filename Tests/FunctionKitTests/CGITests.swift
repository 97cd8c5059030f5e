import FunctionKit
import HTTPTypes
import Testing

@Suite struct CGITests {
    @Test func responseIsAStatusLineHeadersBlankLineAndBody() throws {
        let response = Response.json(["ok": true], status: .created)
        let text = String(decoding: try CGIResponse.encode(response), as: UTF8.self)
        #expect(text == "Status: 201 Created\nContent-Type: application/json\nContent-Length: 11\n\n{\"ok\":true}")
    }

    /// Every host (and the handler tests) answers through `FunctionMain.respond`: an error that is
    /// not an HTTPError is a generic 500, its details kept for the log only.
    @Test func anUnexpectedErrorIsAGeneric500() {
        struct Internal: Error {}
        let context = FunctionContext(functionName: "t", environment: Environment([:]), logger: Logger(function: "t", sink: { _ in }))
        let response = FunctionMain.respond(context: context, handler: { _, _ in throw Internal() }) { _ in Request(method: .get, path: "/") }
        let text = String(decoding: response.body, as: UTF8.self)
        #expect(response.status == .internalServerError)
        #expect(text.contains("see its log"))
        #expect(!text.contains("Internal"))
    }

    /// A sender's X-Request-Id is kept only as a plain token: anything that could forge or
    /// bloat a log line is replaced by a fresh id.
    @Test(arguments: [
        ("kommo-7f3a.1:2", true), (String(repeating: "a", count: 128), true), (String(repeating: "a", count: 129), false),
        ("two words", false), ("line\nbreak", false), (#"quote""#, false), ("", false),
    ])
    func aSendersRequestIDIsKeptOnlyWhenPlain(given: String, kept: Bool) {
        let id = RequestID.of(Environment(["HTTP_X_REQUEST_ID": given]))
        #expect((id == given) == kept)
        if !kept { #expect(id.count == 32 && id.allSatisfy(\.isHexDigit)) }
        #expect(RequestID.of(Environment()) != RequestID.of(Environment()))
    }

    @Test func errorsRenderAsJSONWithTheirStatus() {
        let response = HTTPError.unauthorized("token missing").response
        #expect(response.status == .unauthorized)
        #expect(String(decoding: response.body, as: UTF8.self) == #"{"error":{"code":"unauthorized","message":"token missing"}}"#)
    }

    @Test func readsMetaVariablesIntoARequestWithoutTouchingStdinForOversizeBodies() throws {
        let environment = Environment([
            "REQUEST_METHOD": "POST", "SCRIPT_NAME": "/functions/v1", "PATH_INFO": "/kommo-webhook",
            "QUERY_STRING": "token=s%20t&x=1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": "5000",
            "HTTP_X_WEBHOOK_TOKEN": "abc", "HTTP_USER_AGENT": "amoCRM-WebHook-client/1.0", "REMOTE_ADDR": "10.0.0.1",
        ])
        let request = try CGIRequest.read(environment: environment, maxBodyBytes: 1000)
        #expect(request.method == .post)
        #expect(request.path == "/functions/v1/kommo-webhook")
        #expect(request.query["token"] == "s t")
        #expect(request.headers[HTTPField.Name("X-Webhook-Token")!] == "abc")
        #expect(request.headers[.userAgent] == "amoCRM-WebHook-client/1.0")
        #expect(request.mediaType == "application/json")
        #expect(request.bodyLimitExceeded == BodyLimitExceeded(length: 5000, limit: 1000))
        #expect(request.body.isEmpty)
    }

    @Test func rejectsAMalformedContentLength() {
        #expect(throws: HTTPError.self) {
            try CGIRequest.read(environment: Environment(["REQUEST_METHOD": "POST", "CONTENT_LENGTH": "-3"]), maxBodyBytes: 10)
        }
    }

    @Test func misconfiguredLimitsAreReportedNotIgnored() throws {
        #expect(throws: ConfigurationError.self) {
            try FunctionSettings(Environment(["LEADWIRE_MAX_BODY_BYTES": "lots"]))
        }
        #expect(try FunctionSettings(Environment()).maxBodyBytes == 1_048_576)
    }

    @Test func timestampsFormatAsSortableUTC() {
        #expect(Timestamp(millisecondsSince1970: 1_729_717_200_123).iso8601 == "2024-10-23T21:00:00.123Z")
        #expect(Timestamp(millisecondsSince1970: 5).iso8601 == "1970-01-01T00:00:00.005Z")
    }
}

@Suite struct StreamingBodyTests {
    @Test func aStreamingBodyFollowsHeadersWithoutAContentLength() throws {
        var headers = HTTPFields()
        headers[.contentType] = "text/csv"
        let response = Response(
            headers: headers,
            streamingBody: StreamingBody { writer in
                for row in 1...3 { try writer.write(Array("row \(row)\n".utf8)) }
            })
        let text = String(decoding: try CGIResponse.encode(response), as: UTF8.self)
        #expect(text == "Status: 200 OK\nContent-Type: text/csv\n\nrow 1\nrow 2\nrow 3\n")
    }
}
