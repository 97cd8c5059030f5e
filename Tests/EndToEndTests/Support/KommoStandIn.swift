import Foundation

/// Kommo on 127.0.0.1, in Python, as its documentation describes it, for one account
/// (id 29085730, acme.kommo.com):
///
/// - `POST /oauth2/access_token`: the code `good-code` once, or the current refresh token
///   (each refresh rotates both tokens and takes 0.3 s, so overlapping refreshes would show);
///   anything else 401 "Token has been revoked". Access tokens are JWTs naming the account.
/// - `GET /api/v4/leads`: the current access token or 401; a page of one lead whose `next` keeps
///   the request's `limit` (default 1); `page=2` is 204 (the empty list);
///   while `throttle` holds a number, that many answers are 429 with `Retry-After: 1` first.
///   Once `publish(leads:)` has run, it lists those leads instead, as amoCRM does: those with
///   `updated_at` at or after `filter[updated_at][from]`, oldest first, two a page, `_links.next`
///   while more follow, 204 for a page past the end.
/// - `POST /api/v4/salesbot/{bot}/continue/{id}`: the current token or 401; kept in `continued.jsonl`.
/// - `POST /responder` answers a widget reply; `/responder-broken` answers 500.
/// Every request becomes a line of `requests.jsonl`.
final class KommoStandIn {
    static let accountID = 29_085_730
    private let standIn: PythonStandIn
    var folder: URL { standIn.folder }
    var base: String { "http://127.0.0.1:\(standIn.port)" }

    /// `clientSecret` is the integration secret the token endpoint expects.
    init(scratch: Scratch, clientSecret: String = "integration-secret") async throws {
        standIn = try await PythonStandIn("kommo", script: Self.script.replacingOccurrences(of: "{{CLIENT_SECRET}}", with: clientSecret), scratch: scratch)
    }

    func throttle(_ times: Int) throws {
        try Data(String(times).utf8).write(to: folder.appending(path: "throttle"), options: .atomic)
    }

    /// From now on every refresh token is refused, as Kommo refuses a revoked one.
    func revokeRefreshTokens() throws {
        try Data().write(to: folder.appending(path: "revoked"))
    }

    /// The account's leads, as API v4 lists them (`id`, `name`, `price`, `status_id`,
    /// `pipeline_id`, `updated_at`, `custom_fields_values`).
    func publish(leads: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: leads).write(to: folder.appending(path: "leads.json"), options: .atomic)
    }

    var requests: [[String: Any]] { standIn.records("requests.jsonl") }
    var continued: [[String: Any]] { standIn.records("continued.jsonl") }
    var refreshes: Int { requests.filter { ($0["grant_type"] as? String) == "refresh_token" && ($0["status"] as? Int) == 200 }.count }

    private static let script = #"""
        import base64, json, os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import urlparse, parse_qs
        client_secret = "{{CLIENT_SECRET}}"

        port, folder = int(sys.argv[1]), sys.argv[2]
        lock = threading.Lock()
        state = {"access": None, "refresh": None, "serial": 0}

        def jwt(serial):
            part = lambda v: base64.urlsafe_b64encode(json.dumps(v).encode()).rstrip(b"=").decode()
            return part({"alg": "RS256", "typ": "JWT"}) + "." + part({"account_id": 29085730, "jti": serial}) + ".sig"

        def record(name, entry):
            with open(os.path.join(folder, name), "a") as f:
                f.write(json.dumps(entry) + "\n")

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body=None, headers=()):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Type", "application/hal+json" if status < 400 else "application/problem+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return status

            def authorized(self):
                return self.headers.get("Authorization") == "Bearer %s" % state["access"]

            def handle_one(self, method):
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null") if length else None
                entry = {"method": method, "path": url.path, "query": url.query, "at": time.time()}
                if url.path == "/oauth2/access_token":
                    entry["grant_type"] = body.get("grant_type")
                    with lock:
                        granted = (body.get("grant_type") == "authorization_code" and body.get("code") == "good-code") or \
                                  (body.get("grant_type") == "refresh_token" and body.get("refresh_token") == state["refresh"] and state["refresh"]
                                   and not os.path.exists(os.path.join(folder, "revoked")))
                        if granted and body.get("client_secret") == client_secret:
                            if body.get("grant_type") == "refresh_token":
                                time.sleep(0.3)
                            state["serial"] += 1
                            state["access"], state["refresh"] = jwt(state["serial"]), "refresh-%d" % state["serial"]
                            entry["status"] = self.answer(200, {"token_type": "Bearer", "expires_in": 86400, "server_time": int(time.time()),
                                                                "access_token": state["access"], "refresh_token": state["refresh"]})
                        else:
                            entry["status"] = self.answer(401, {"title": "Unauthorized", "detail": "Token has been revoked", "status": 401})
                elif url.path == "/api/v4/leads" and method == "GET":
                    throttle = os.path.join(folder, "throttle")
                    left = int(open(throttle).read()) if os.path.exists(throttle) else 0
                    if not self.authorized():
                        entry["status"] = self.answer(401, {"title": "Unauthorized", "status": 401})
                    elif left > 0:
                        open(throttle, "w").write(str(left - 1))
                        entry["status"] = self.answer(429, {"title": "Too Many Requests", "status": 429, "retry_after": 1}, [("Retry-After", "1")])
                    elif os.path.exists(os.path.join(folder, "leads.json")):
                        query = parse_qs(url.query)
                        since = int(query.get("filter[updated_at][from]", ["0"])[0])
                        page = int(query.get("page", ["1"])[0])
                        leads = sorted([l for l in json.load(open(os.path.join(folder, "leads.json"))) if l["updated_at"] >= since],
                                       key=lambda l: l["updated_at"])
                        chunk = leads[(page - 1) * 2:page * 2]
                        if not chunk:
                            entry["status"] = self.answer(204)
                        else:
                            links = {"self": {"href": "https://acme.kommo.com/api/v4/leads?page=%d" % page}}
                            if page * 2 < len(leads):
                                links["next"] = {"href": "https://acme.kommo.com/api/v4/leads?page=%d" % (page + 1)}
                            entry["status"] = self.answer(200, {"_page": page, "_links": links, "_embedded": {"leads": chunk}})
                    elif "page=2" in url.query:
                        entry["status"] = self.answer(204)
                    else:
                        entry["status"] = self.answer(200, {"_page": 1, "_links": {"self": {"href": "https://acme.kommo.com/api/v4/leads?page=1"},
                                                                          "next": {"href": "https://acme.kommo.com/api/v4/leads?page=2&limit=%s" % parse_qs(url.query).get("limit", ["1"])[0]}},
                                                            "_embedded": {"leads": [{"id": 7, "name": "Lead"}]}})
                elif url.path.startswith("/api/v4/salesbot/") and method == "POST":
                    if self.authorized():
                        record("continued.jsonl", {"path": url.path, "body": body})
                        entry["status"] = self.answer(200, {})
                    else:
                        entry["status"] = self.answer(401, {"title": "Unauthorized", "status": 401})
                elif url.path == "/responder":
                    entry["status"] = self.answer(200, {"data": {"answer": "ai"}, "execute_handlers": [
                        {"handler": "show", "params": {"type": "text", "value": "Reply to: " + body["data"].get("message", "")}}]})
                elif url.path == "/responder-broken":
                    entry["status"] = self.answer(500, {"title": "broken"})
                else:
                    entry["status"] = self.answer(404, {"title": "Not Found", "status": 404})
                record("requests.jsonl", entry)

            def do_GET(self):
                self.handle_one("GET")

            def do_POST(self):
                self.handle_one("POST")

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        print("ready", flush=True)
        server.serve_forever()
        """#
}
