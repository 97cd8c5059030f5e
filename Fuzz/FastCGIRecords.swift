// libFuzzer target: arbitrary bytes as a web server's side of a FastCGI connection. Built by
// scripts/fuzz together with Shared/FastCGI's sources (one module), so it needs no import.
// Every input must end in a record sequence, a protocol error or a need for more bytes: a
// crash, a hang or a slow input is a bug.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFastCGIRecords(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var decoder = RecordDecoder()
    var connection = ResponderConnection(limits: .init(maxParamsBytes: 4096, maxBodyBytes: 4096))
    // Fed in two parts, so records that straddle reads are exercised too.
    let split = bytes.isEmpty ? 0 : Int(bytes[0]) % (bytes.count + 1)
    for part in [bytes[..<split], bytes[split...]] {
        decoder.append(part)
        do {
            while let record = try decoder.next() { _ = try connection.receive(record) }
        } catch {
            return 0
        }
    }
    _ = try? NameValuePairs.decode(bytes)
    return 0
}
