import FastCGI

// libFuzzer target: arbitrary bytes as a web server's side of a FastCGI connection.
// Every input must end in a record sequence, a protocol error or a need for more bytes, and
// what the connection hands on must keep the protocol's promises, counted here from the
// records themselves: a request is answered at most once per BEGIN_REQUEST of its id, and its
// body is never more than arrived for it on STDIN nor more than the limit. A crash, a broken
// promise (fatalError), a hang or a slow input is a bug.

func fuzzFastCGIRecords(_ bytes: [UInt8]) {
    let limits = ResponderConnection.Limits(maxParamsBytes: 4096, maxBodyBytes: 4096)
    var decoder = RecordDecoder()
    var connection = ResponderConnection(limits: limits)
    var begun: [UInt16: Int] = [:]
    var answered: [UInt16: Int] = [:]
    var stdinBytes: [UInt16: Int] = [:]
    // Fed in two parts, so records that straddle reads are exercised too.
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    for part in [bytes[..<split], bytes[split...]] {
        decoder.append(part)
        do {
            while let record = try decoder.next() {
                switch record.type {
                case .beginRequest?: begun[record.requestID, default: 0] += 1
                case .stdin?: stdinBytes[record.requestID, default: 0] += record.content.count
                default: break
                }
                guard case .answer(let request)? = try connection.receive(record) else { continue }
                let id = request.requestID
                answered[id, default: 0] += 1
                if answered[id, default: 0] > begun[id, default: 0] { fatalError("request \(id) answered twice for one BEGIN_REQUEST") }
                if request.bodyByteCount > stdinBytes[id, default: 0] {
                    fatalError("request \(id): \(request.bodyByteCount) body bytes, \(stdinBytes[id, default: 0]) sent")
                }
                if request.body.count > limits.maxBodyBytes || !(request.body.isEmpty || request.body.count == request.bodyByteCount) {
                    fatalError("request \(id): a body of \(request.body.count) bytes for \(request.bodyByteCount) received")
                }
            }
        } catch {
            return
        }
    }
    _ = try? NameValuePairs.decode(bytes)
}
