import Foundation

/// A subscriber on 127.0.0.1, in Python, that checks both signatures on its own (Python's
/// hmac, not Leadwire's code) and answers as a real receiver might, by path:
/// `/ok` 200; `/gone` 410; `/down` 503; `/redirect` 307 to `/ok`; `/flaky` 500 the first time a
/// webhook-id comes, then 200; `/slow` after 2 s; `/hold` keeps the first request of a webhook-id for 30 s. `/bot<token>/sendMessage`
/// stands in for Telegram: 429 with `retry_after` 1 the first time, then `{"ok": true}`.
/// Every request becomes a line of `received.jsonl`.
final class WebhookReceiver {
    private let standIn: PythonStandIn
    var folder: URL { standIn.folder }

    var base: String { "http://127.0.0.1:\(standIn.port)" }

    init(scratch: Scratch) async throws {
        standIn = try await PythonStandIn("receiver", script: Self.script, scratch: scratch)
        try trust([:])
    }

    /// The secrets (current first) the receiver checks each path's signatures with.
    func trust(_ secrets: [String: [String]]) throws {
        try JSONSerialization.data(withJSONObject: secrets).write(to: folder.appending(path: "secrets.json"), options: .atomic)
    }

    struct Delivery {
        let fields: [String: Any]
        var path: String { fields["path"] as? String ?? "" }
        var webhookID: String { fields["id"] as? String ?? "" }
        var event: String { fields["event"] as? String ?? "" }
        var status: Int { fields["status"] as? Int ?? 0 }
        /// Indices of the trusted secrets whose Standard Webhooks signature verifies.
        var standardValidWith: [Int] { fields["standard_valid_with"] as? [Int] ?? [] }
        var hexValid: Bool { fields["hex_valid"] as? Bool ?? false }
        var body: [String: Any] { fields["body"] as? [String: Any] ?? [:] }
        /// The sender's port: one per connection.
        var port: Int { fields["port"] as? Int ?? 0 }
    }

    var deliveries: [Delivery] { standIn.records("received.jsonl").map(Delivery.init) }

    /// Waits until `condition` holds for the deliveries so far (the worker delivers apart). The
    /// bound is generous: a retry after a 429 waits its Retry-After, on a machine busy with
    /// every other suite; the wait ends as soon as the condition holds.
    func wait(seconds: Double = 120, for what: String, _ condition: ([Delivery]) -> Bool) async throws -> [Delivery] {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            let now = deliveries
            if condition(now) { return now }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSetupError("the receiver never saw \(what); it got: \(deliveries.map { "\($0.path) \($0.event) \($0.status)" })")
    }

    private static let script = #"""
        import base64, hashlib, hmac, json, os, sys, threading, time
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        port, folder = int(sys.argv[1]), sys.argv[2]
        seen, lock = set(), threading.Lock()

        def secrets_for(path):
            with open(os.path.join(folder, "secrets.json")) as f:
                return json.load(f).get(path, [])

        def standard_valid_with(secrets, headers, body):
            msg_id, stamp = headers.get("webhook-id", ""), headers.get("webhook-timestamp", "0")
            if abs(time.time() - int(stamp)) > 300:
                return []
            given = [s.split(",", 1)[1] for s in headers.get("webhook-signature", "").split(" ") if s.startswith("v1,")]
            valid = []
            for index, secret in enumerate(secrets):
                key = base64.b64decode(secret[len("whsec_"):])
                expected = base64.b64encode(hmac.new(key, f"{msg_id}.{stamp}.".encode() + body, hashlib.sha256).digest()).decode()
                if any(hmac.compare_digest(expected, g) for g in given):
                    valid.append(index)
            return valid

        class Handler(BaseHTTPRequestHandler):
            # HTTP/1.1: a connection stays open for the next request unless a side closes it.
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                path = self.path
                msg_id = self.headers.get("webhook-id", "")
                with lock:
                    first = (path, msg_id) not in seen
                    seen.add((path, msg_id))
                record = {"path": path, "id": msg_id, "event": self.headers.get("X-Webhook-Event", ""), "port": self.client_address[1]}
                try:
                    record["body"] = json.loads(body)
                except ValueError:
                    record["body"] = None
                answer = b'{"received": true}'
                if path.startswith("/bot"):
                    status = 429 if first else 200
                    answer = b'{"ok": false, "error_code": 429, "parameters": {"retry_after": 1}}' if first else b'{"ok": true}'
                else:
                    secrets = secrets_for(path)
                    record["standard_valid_with"] = standard_valid_with(secrets, self.headers, body)
                    record["hex_valid"] = bool(secrets) and hmac.compare_digest(
                        hmac.new(secrets[0].encode(), body, hashlib.sha256).hexdigest(), self.headers.get("X-Webhook-Signature", ""))
                    status = {"/gone": 410, "/redirect": 307, "/down": 503}.get(path, 200)
                    if path == "/flaky" and first:
                        status = 500
                    if path == "/slow":
                        time.sleep(2)
                    if path == "/hold" and first:
                        record["status"] = "holding"
                        self.write(record)
                        time.sleep(30)
                record["status"] = status
                self.write(record)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                if status == 307:
                    self.send_header("Location", "/ok")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def write(self, record):
                with lock, open(os.path.join(folder, "received.jsonl"), "a") as f:
                    f.write(json.dumps(record) + "\n")

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        print("ready", flush=True)
        server.serve_forever()
        """#
}
