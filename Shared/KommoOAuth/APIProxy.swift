import FunctionKit
import HTTPTypes
import OutboundHTTP

/// Answers an `api-request` with what Kommo answered:
///
/// - 2xx: 200 `{"success": true, "status": …, "data": <Kommo's JSON>, "next": <endpoint>}`;
///   a 204 (Kommo's empty list) is `"data": null`, not an error. `next` is the endpoint of the
///   next page, from `_links.next.href`, ready to send as the next request's `endpoint`.
/// - 4xx: the same status, `success: false`, Kommo's problem in `data` and an `error` that
///   says it.
/// - 5xx: 502, as Kommo failed, not the request.
enum APIProxy {
    static func forward(_ request: APIRequest, client: KommoClient) throws -> Response {
        let connection = try client.connection(named: request.account)
        let answer = try client.call(request.method, request.pathAndQuery, body: request.body, account: connection.accountID)
        let data = answer.body.isEmpty ? JSONValue.null : (try? JSONValue(parsing: answer.bodyText)) ?? .string(answer.bodyText)
        if (200..<300).contains(answer.status) {
            return .json(["success": true, "status": JSONValue(Int64(answer.status)), "data": data, "next": JSONValue(nextEndpoint(data))])
        }
        let message = "Kommo answered \(answer.status): \(KommoClient.problem(answer))"
        let status = answer.status >= 500 ? 502 : answer.status
        var error = HTTPError(.init(code: status), code: .kommoError, message: message)
        if answer.status == 429 { error.headers[.retryAfter] = String(KommoClient.retryAfter(answer) ?? 1) }
        var response = error.response
        response.body = Array(
            JSONValue.object(
                JSONObject([
                    ("success", false), ("status", JSONValue(Int64(answer.status))), ("data", data),
                    ("error", ["code": .string(ErrorCode.kommoError.rawValue), "message": .string(message)]),
                ])
            ).jsonText.utf8)
        return response
    }

    /// `_links.next.href` without its scheme and host.
    static func nextEndpoint(_ data: JSONValue) -> String? {
        guard let href = data["_links"]?["next"]?["href"]?.text, let start = href.indices.first(where: { href[$0...].hasPrefix("/api/v4/") }) else {
            return nil
        }
        return String(href[start...])
    }
}
