// The parse benchmark's program (see parse_bodies.py): times `Request.decodedBody`, the path
// every inbound webhook's body takes, on 1 MiB bodies of the shapes that once cost quadratic
// time. The package's `parse-bodies` product, built for release.
import FunctionKit
import HTTPTypes

#if canImport(Glibc)
import Glibc
#endif

@main
struct ParseBodies {
    static let mebibyte = 1 << 20

    /// `part(i)` joined by `separator`, as many as fit in 1 MiB.
    static func fill(_ separator: String, _ part: (Int) -> String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = 0
        while true {
            let next = Array((index == 0 ? "" : separator).utf8) + Array(part(index).utf8)
            if bytes.count + next.count > mebibyte { return bytes }
            bytes += next
            index += 1
        }
    }

    static func main() {
        let runs = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 5 : 5
        let wide = fill(",") { "\"k\($0)\":\($0)" }
        let shapes: [(String, String, [UInt8])] = [
            ("many form keys", "application/x-www-form-urlencoded", fill("&") { "k\($0)=v" }),
            ("deep form keys", "application/x-www-form-urlencoded", Array(("a" + String(repeating: "[x]", count: (mebibyte - 3) / 3) + "=1").utf8)),
            ("a[] lists", "application/x-www-form-urlencoded", fill("&") { _ in "a[]=v" }),
            ("wide JSON object", "application/json", Array("{".utf8) + wide.dropLast(2) + Array("}".utf8)),
            ("deep JSON", "application/json", [UInt8](repeating: UInt8(ascii: "["), count: mebibyte / 2) + [UInt8](repeating: UInt8(ascii: "]"), count: mebibyte / 2)),
        ]
        let raised = FormLimits(maxFields: 1_000_000, maxDepth: FormLimits.defaultMaxDepth, maxIndex: 1_000_000)
        print("parse: Request.decodedBody on 1 MiB bodies, median of \(runs) runs (target < 50 ms each)")
        print("  shape              limits   median ms   max ms  outcome")
        var slowest = 0.0
        for (name, contentType, body) in shapes {
            for (label, limits) in [("default", FormLimits()), ("raised", raised)] {
                if label == "raised" && name.hasPrefix("deep") { continue }  // depth guards the stack; it is not raised
                var headers = HTTPFields()
                headers[.contentType] = contentType
                let request = Request(method: .post, path: "/kommo-webhook", headers: headers, body: body)
                var times: [Double] = []
                var outcome = ""
                for _ in 0..<runs {
                    let started = ContinuousClock.now
                    do {
                        let value = try request.decodedBody(limits: limits)
                        outcome = "parsed (\(value.elements?.count ?? 0) members)"
                    } catch {
                        outcome = "\(error.status.code) \(error.code)"
                    }
                    let elapsed = ContinuousClock.now - started
                    times.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                }
                let median = times.sorted()[times.count / 2]
                // The target is for what a deployment accepts: the default limits. Raised limits
                // show the cost per field of a body that large (linear, not quadratic).
                if label == "default" { slowest = max(slowest, median) }
                print("  \(name.padding(18)) \(label.padding(8)) \(format(median).leftPadding(9)) \(format(times.max()!).leftPadding(8))  \(outcome)")
            }
        }
        print("  slowest median with the default limits \(format(slowest)) ms: \(slowest < 50 ? "met" : "MISSED") (target < 50 ms)")
        timeKommoBody()
    }

    /// The everyday body, not a hostile one: a Kommo `leads[update]` form with three leads, each
    /// with its fields and a custom field, brackets percent-encoded as Kommo sends them.
    static func timeKommoBody() {
        var fields: [String] = []
        for lead in 0..<3 {
            let prefix = "leads%5Bupdate%5D%5B\(lead)%5D"
            for (name, value) in [
                ("id", "2456\(lead)"), ("name", "Lead+\(lead)"), ("status_id", "142"), ("pipeline_id", "10418746"), ("price", "15000"),
                ("responsible_user_id", "8000001"), ("updated_at", "1744532875"), ("created_at", "1744532000"), ("account_id", "29085730"),
            ] { fields.append("\(prefix)%5B\(name)%5D=\(value)") }
            fields.append("\(prefix)%5Bcustom_fields%5D%5B0%5D%5Bid%5D=512345")
            fields.append("\(prefix)%5Bcustom_fields%5D%5B0%5D%5Bname%5D=utm_source")
            fields.append("\(prefix)%5Bcustom_fields%5D%5B0%5D%5Bvalues%5D%5B0%5D%5Bvalue%5D=kenesary_fb")
        }
        fields += ["account%5Bsubdomain%5D=acme", "account%5Bid%5D=29085730"]
        let body = Array(fields.joined(separator: "&").utf8)
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        let request = Request(method: .post, path: "/kommo-webhook", headers: headers, body: body)
        let count = 20_000
        var members = 0
        let parsing = microsecondsEach(count) { members += (try? request.decodedBody())?.elements?.count ?? 0 }
        print("  a Kommo form body (3 leads, \(fields.count) fields, \(body.count) bytes): \(format(parsing)) µs each (\(members / count) members)")
        // The function writes what it parsed back as JSON: each lead's raw_data, the log's payload.
        guard let parsed = try? request.decodedBody() else { return }
        var written = 0
        let writing = microsecondsEach(count) { written = parsed.jsonText.utf8.count }
        print("  the same body written as JSON text (\(written) bytes): \(format(writing)) µs each")
    }

    static func microsecondsEach(_ count: Int, _ work: () -> Void) -> Double {
        let started = ContinuousClock.now
        for _ in 0..<count { work() }
        let elapsed = ContinuousClock.now - started
        return (Double(elapsed.components.seconds) * 1e6 + Double(elapsed.components.attoseconds) / 1e12) / Double(count)
    }

    static func format(_ milliseconds: Double) -> String {
        let tenths = Int((milliseconds * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }
}

extension String {
    fileprivate func padding(_ width: Int) -> String { self + String(repeating: " ", count: max(0, width - count)) }
    fileprivate func leftPadding(_ width: Int) -> String { String(repeating: " ", count: max(0, width - count)) + self }
}
