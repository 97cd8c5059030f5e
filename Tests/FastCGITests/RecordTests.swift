import FastCGI
import Testing

@Suite struct RecordTests {
    /// The bytes of a GET_VALUES record asking for FCGI_MPXS_CONNS, laid out by hand from the
    /// specification: header (version 1, type 9, id 0, length 17, padding 7), the pair's two
    /// one-byte lengths (15, 0), the name, seven bytes of padding.
    @Test func aRecordIsLaidOutAsTheSpecificationSays() {
        let record = Record(.getValues, requestID: 0, content: NameValuePairs.encode([("FCGI_MPXS_CONNS", "")]))
        let expected: [UInt8] = [1, 9, 0, 0, 0, 17, 7, 0, 15, 0] + Array("FCGI_MPXS_CONNS".utf8) + Array(repeating: 0, count: 7)
        #expect(record.encoded == expected)
        #expect(record.encoded.count % 8 == 0)
    }

    @Test func recordsSplitAnywhereInTheStreamAreReassembled() throws {
        let records = [
            Record(.beginRequest, requestID: 1, content: BeginRequest(role: .responder, keepConnection: true).content),
            Record(.params, requestID: 1, content: NameValuePairs.encode([("REQUEST_METHOD", "POST")])),
            Record(.params, requestID: 1),
            Record(.stdin, requestID: 1, content: Array(repeating: 0x61, count: 70_000 % 65_535)),
            Record(.stdin, requestID: 1),
        ]
        let stream = records.flatMap(\.encoded)
        for chunkSize in [1, 3, 8, 13, 4096] {
            var decoder = RecordDecoder()
            var decoded: [Record] = []
            var index = 0
            while index < stream.count {
                decoder.append(stream[index..<min(index + chunkSize, stream.count)])
                index += chunkSize
                while let record = try decoder.next() { decoded.append(record) }
            }
            #expect(decoded == records, "chunks of \(chunkSize) bytes")
            #expect(decoder.pendingByteCount == 0)
        }
    }

    @Test func aLongStreamBecomesRecordsOfAtMost64KiB() throws {
        let content = Array(repeating: UInt8(7), count: 200_000)
        var decoder = RecordDecoder()
        decoder.append(Record.stream(.stdout, requestID: 3, content))
        var lengths: [Int] = []
        var joined: [UInt8] = []
        while let record = try decoder.next() {
            lengths.append(record.content.count)
            joined += record.content
        }
        #expect(lengths == [65_535, 65_535, 65_535, 3_395])
        #expect(joined == content)
    }

    @Test func aHeaderWithAnotherVersionIsRefused() {
        var decoder = RecordDecoder()
        decoder.append([2, 1, 0, 1, 0, 0, 0, 0])
        #expect(throws: ProtocolError.self) { try decoder.next() }
    }

    @Test func longNamesAndValuesUseFourByteLengths() throws {
        let long = String(repeating: "x", count: 300)
        let encoded = NameValuePairs.encode([("HTTP_X_LONG", long), (long, "")])
        #expect(encoded[1] == 0x80 && encoded[2] == 0 && encoded[3] == 1 && encoded[4] == 0x2C)
        let decoded = try NameValuePairs.decode(encoded)
        #expect(decoded.map { String(decoding: $0.name, as: UTF8.self) } == ["HTTP_X_LONG", long])
        #expect(decoded.map { $0.value.count } == [300, 0])
    }

    @Test(arguments: [[3, 1, 65], [0x80, 0, 0], [5, 200, 65, 66]] as [[UInt8]])
    func pairsLongerThanTheirBytesAreRefused(bytes: [UInt8]) {
        #expect(throws: ProtocolError.self) { try NameValuePairs.decode(bytes) }
    }

    @Test func endRequestRoundTrips() throws {
        let end = EndRequest(applicationStatus: 0x0102_0304, protocolStatus: .overloaded)
        #expect(end.content == [1, 2, 3, 4, 2, 0, 0, 0])
        #expect(try EndRequest(content: end.content) == end)
    }
}
