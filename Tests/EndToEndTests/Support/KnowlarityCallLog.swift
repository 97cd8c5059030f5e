import Foundation

/// A stand-in for Knowlarity's call-log API on 127.0.0.1, in Python, as its documentation
/// describes it: `GET /Basic/v1/account/calllog?start_time=…&end_time=…&limit=…&offset=…` with
/// `x-api-key` and the raw SR key as `Authorization` (else 401), times like
/// `2025-12-06 11:11:21+05:30`, and `{"meta": {limit, offset, total_count, next, previous},
/// "objects": [...]}` pages, of at most two calls here so that paging is exercised. The calls
/// are `calls.json`, which a test may change between passes; `throttle` holds how many
/// requests to answer 429 (`Retry-After: 1`) first.
final class KnowlarityCallLog {
    static let apiKey = "app-key-1"
    static let srKey = "sr-key-1"
    private let standIn: PythonStandIn
    var folder: URL { standIn.folder }

    var base: String { "http://127.0.0.1:\(standIn.port)/Basic/v1" }

    init(scratch: Scratch) async throws {
        standIn = try await PythonStandIn("calllog", script: Self.script, scratch: scratch)
        try publish([])
    }

    /// The calls the log holds from now on.
    func publish(_ calls: [[String: Any]]) throws {
        try JSONSerialization.data(withJSONObject: calls).write(to: folder.appending(path: "calls.json"), options: .atomic)
    }

    func throttle(_ times: Int) throws {
        try Data(String(times).utf8).write(to: folder.appending(path: "throttle"), options: .atomic)
    }

    /// The requests it answered: path with query, and status.
    var requests: [[String: Any]] { standIn.records("requests.jsonl") }

    /// A call as the log lists it, started `minutesAgo` minutes ago (in +05:30, as Knowlarity writes times).
    static func call(uuid: String, phone: String, minutesAgo: Double) -> [String: Any] {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 19_800)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ssxxx"
        let start = formatter.string(from: Date().addingTimeInterval(-minutesAgo * 60))
        return [
            "uuid": uuid, "customer_number": phone, "agent_number": "+918121119250", "knowlarity_number": "+919873762618",
            "start_time": start, "call_duration": 42, "business_call_type": "Call Group",
        ]
    }

    private static let script = #"""
        import json, os, sys, threading
        from datetime import datetime
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlencode, urlparse

        port, folder = int(sys.argv[1]), sys.argv[2]
        lock = threading.Lock()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body, headers=()):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)
                with lock, open(os.path.join(folder, "requests.jsonl"), "a") as f:
                    f.write(json.dumps({"path": self.path, "status": status}) + "\n")

            def do_GET(self):
                url = urlparse(self.path)
                if url.path != "/Basic/v1/account/calllog":
                    return self.answer(404, {"message": "not found"})
                if self.headers.get("x-api-key") != "\#(apiKey)" or self.headers.get("Authorization") != "\#(srKey)":
                    return self.answer(401, {"message": "Authentication credentials were not provided or are invalid."})
                throttle = os.path.join(folder, "throttle")
                with lock:
                    left = int(open(throttle).read()) if os.path.exists(throttle) else 0
                    if left > 0:
                        open(throttle, "w").write(str(left - 1))
                if left > 0:
                    return self.answer(429, {"message": "Too many requests"}, [("Retry-After", "1")])
                query = parse_qs(url.query)
                try:
                    start = datetime.fromisoformat(query["start_time"][0])
                    end = datetime.fromisoformat(query["end_time"][0])
                except (KeyError, ValueError):
                    return self.answer(400, {"message": "start_time and end_time are required, as YYYY-MM-DD HH:MM:SS+05:30"})
                limit, offset = min(int(query.get("limit", ["10"])[0]), 2), int(query.get("offset", ["0"])[0])
                with open(os.path.join(folder, "calls.json")) as f:
                    calls = [c for c in json.load(f) if start <= datetime.fromisoformat(c["start_time"]) <= end]
                page = calls[offset:offset + limit]
                more = offset + limit < len(calls)
                following = "/Basic/v1/account/calllog?" + urlencode({**{k: v[0] for k, v in query.items()}, "offset": offset + limit})
                meta = {"limit": limit, "offset": offset, "total_count": len(calls), "next": following if more else None, "previous": None}
                self.answer(200, {"meta": meta, "objects": page})

        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        print("ready", flush=True)
        server.serve_forever()
        """#
}
