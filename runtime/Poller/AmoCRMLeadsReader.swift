import AmoCRM
import FunctionKit
import HTTPTypes
import KommoOAuth
import OutboundHTTP

/// Reads one connected account's leads from amoCRM's API v4, through its OAuth connection and
/// within its per-second limit (`KommoClient.call`: a 401 refreshes the token, a short 429 is
/// waited out): `GET /api/v4/leads?filter[updated_at][from]=…&order[updated_at]=asc`, page by
/// page until a page has no `next` link or amoCRM answers 204 (no more leads).
struct AmoCRMLeadsReader {
    let client: KommoClient
    let accountID: Int64
    /// The most amoCRM gives a page.
    static let pageSize = 250
    /// Pages one read follows at most (a `next` that never ends cannot hold it forever).
    static let maxPages = 400

    enum Failure: Error, CustomStringConvertible {
        case refused(status: Int)
        case broken(String)

        var description: String {
            switch self {
            case .refused(let status): "amoCRM refused the account's token (HTTP \(status)): connect it again at /kommo-oauth?action=authorize."
            case .broken(let reason): "amoCRM's leads could not be read: \(reason)."
            }
        }
    }

    /// Every lead updated at or after `since` (Unix seconds), oldest change first.
    func leads(updatedSince since: Int64) throws -> [APILead] {
        var leads: [APILead] = []
        for page in 1...Self.maxPages {
            let query = "filter%5Bupdated_at%5D%5Bfrom%5D=\(since)&order%5Bupdated_at%5D=asc&limit=\(Self.pageSize)&page=\(page)"
            let answer: HTTPClient.Answer
            do {
                answer = try client.call(.get, "/api/v4/leads?" + query, account: accountID)
            } catch let error as HTTPError where error.status == .tooManyRequests {
                throw ProviderBusy(provider: "amoCRM", status: 429, retryAfter: 1)
            }
            switch answer.status {
            case 204:
                return leads
            case 200:
                guard let body = try? JSONValue(parsing: answer.body) else { throw Failure.broken("page \(page) is not JSON") }
                leads += (body["_embedded"]?["leads"]?.elements ?? []).compactMap(APILead.init)
                guard body["_links"]?["next"]?["href"] != nil else { return leads }
            case 401, 403: throw Failure.refused(status: answer.status)
            case 429, 500...599: throw ProviderBusy(provider: "amoCRM", status: answer.status, retryAfter: answer.retryAfterSeconds)
            default: throw Failure.broken("HTTP \(answer.status)")
            }
        }
        return leads
    }
}
