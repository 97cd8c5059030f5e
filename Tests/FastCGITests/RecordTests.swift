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

    /// One hand-laid vector per record type the responder reads or writes, from the
    /// specification's layouts (header: version, type, id, length, padding, reserved).
    @Test func everyRecordTypeMatchesItsHandLaidBytes() throws {
        // BEGIN_REQUEST, id 258, responder, keep the connection: read.
        var decoder = RecordDecoder()
        decoder.append([1, 1, 1, 2, 0, 8, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0] as [UInt8])
        let begin = try #require(try decoder.next())
        #expect(begin.type == .beginRequest && begin.requestID == 258)
        #expect(try BeginRequest(content: begin.content) == BeginRequest(role: .responder, keepConnection: true))
        // ABORT_REQUEST, id 1, no content: read.
        decoder.append([1, 2, 0, 1, 0, 0, 0, 0] as [UInt8])
        #expect(try decoder.next() == Record(.abortRequest, requestID: 1))
        // PARAMS: name "A", a value of 300 bytes (its length in four bytes, 0x8000012C); content
        // 306 bytes (0x0132), padding 6: read.
        let value = [UInt8](repeating: 0x76, count: 300)
        decoder.append([1, 4, 0, 1, 0x01, 0x32, 6, 0, 1, 0x80, 0, 0x01, 0x2C, 0x41] + value + [0, 0, 0, 0, 0, 0] as [UInt8])
        let params = try #require(try decoder.next())
        #expect(try NameValuePairs.decode(params.content).map { [$0.name, $0.value] } == [[[0x41], value]])
        // STDIN of 3 bytes, padding 5: read.
        decoder.append([1, 5, 0, 1, 0, 3, 5, 0, 0x61, 0x62, 0x63, 0, 0, 0, 0, 0] as [UInt8])
        #expect(try decoder.next() == Record(.stdin, requestID: 1, content: Array("abc".utf8)))
        #expect(decoder.pendingByteCount == 0)

        // STDOUT of 2 bytes, padding 6: written.
        #expect(Record(.stdout, requestID: 7, content: [0x68, 0x69]).encoded == [1, 6, 0, 7, 0, 2, 6, 0, 0x68, 0x69, 0, 0, 0, 0, 0, 0])
        // STDERR, empty (the end of the stream): written.
        #expect(Record(.stderr, requestID: 7).encoded == [1, 7, 0, 7, 0, 0, 0, 0])
        // END_REQUEST, application status 1, cannot multiplex: written.
        #expect(
            Record(.endRequest, requestID: 2, content: EndRequest(applicationStatus: 1, protocolStatus: .cannotMultiplexConnection).content).encoded
                == [1, 3, 0, 2, 0, 8, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0])
        // UNKNOWN_TYPE answering type 99: written.
        #expect(Record(.unknownType, requestID: 0, content: [99, 0, 0, 0, 0, 0, 0, 0]).encoded == [1, 11, 0, 0, 0, 8, 0, 0, 99, 0, 0, 0, 0, 0, 0, 0])
    }

    @Test func endRequestRoundTrips() throws {
        let end = EndRequest(applicationStatus: 0x0102_0304, protocolStatus: .overloaded)
        #expect(end.content == [1, 2, 3, 4, 2, 0, 0, 0])
        #expect(try EndRequest(content: end.content) == end)
    }
}
