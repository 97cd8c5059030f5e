import FastCGI
import Testing

@Suite struct ResponderConnectionTests {
    let limits = ResponderConnection.Limits(maxParamsBytes: 1024, maxBodyBytes: 100)

    func begin(_ id: UInt16, role: Role = .responder, keep: Bool = false) -> Record {
        Record(.beginRequest, requestID: id, content: BeginRequest(role: role, keepConnection: keep).content)
    }

    func params(_ id: UInt16, _ pairs: [(name: String, value: String)]) -> [Record] {
        [Record(.params, requestID: id, content: NameValuePairs.encode(pairs)), Record(.params, requestID: id)]
    }

    /// Feeds records and returns the steps they caused.
    func feed(_ connection: inout ResponderConnection, _ records: [Record]) throws -> [ResponderConnection.Step] {
        var steps: [ResponderConnection.Step] = []
        for record in records { if let step = try connection.receive(record) { steps.append(step) } }
        return steps
    }

    func decodeRecords(_ bytes: [UInt8]) throws -> [Record] {
        var decoder = RecordDecoder()
        decoder.append(bytes)
        var records: [Record] = []
        while let record = try decoder.next() { records.append(record) }
        return records
    }

    @Test func aRequestIsCompleteWhenItsBodyEnds() throws {
        var connection = ResponderConnection(limits: limits)
        let steps = try feed(
            &connection,
            [begin(1, keep: true)] + params(1, [("REQUEST_METHOD", "POST"), ("CONTENT_LENGTH", "5")])
                + [Record(.stdin, requestID: 1, content: Array("he".utf8)), Record(.stdin, requestID: 1, content: Array("llo".utf8)), Record(.stdin, requestID: 1)])
        guard steps.count == 1, case .answer(let request) = steps[0] else { Issue.record("expected one answer, got \(steps)"); return }
        #expect(request.requestID == 1)
        #expect(request.keepConnection)
        #expect(request.body == Array("hello".utf8))
        #expect(request.params.map { String(decoding: $0.name, as: UTF8.self) } == ["REQUEST_METHOD", "CONTENT_LENGTH"])
    }

    @Test func aSecondRequestOnTheSameConnectionIsRefusedAsMultiplexing() throws {
        var connection = ResponderConnection(limits: limits)
        let steps = try feed(&connection, [begin(1)] + params(1, [("A", "1")]) + [begin(2)])
        guard case .send(let bytes) = steps.first else { Issue.record("expected a refusal"); return }
        let end = try decodeRecords(bytes)
        #expect(end.count == 1 && end[0].type == .endRequest && end[0].requestID == 2)
        #expect(try EndRequest(content: end[0].content).protocolStatus == .cannotMultiplexConnection)
        // The first request goes on.
        let rest = try feed(&connection, [Record(.stdin, requestID: 1)])
        guard case .answer(let request) = rest.first else { Issue.record("request 1 was lost"); return }
        #expect(request.requestID == 1)
    }

    @Test func rolesOtherThanResponderAreRefused() throws {
        var connection = ResponderConnection(limits: limits)
        let steps = try feed(&connection, [begin(4, role: .authorizer)])
        guard case .send(let bytes) = steps.first else { Issue.record("expected a refusal"); return }
        #expect(try EndRequest(content: decodeRecords(bytes)[0].content).protocolStatus == .unknownRole)
    }

    @Test func aBodyOverTheLimitIsCountedAndDropped() throws {
        var connection = ResponderConnection(limits: limits)
        let chunk = Array(repeating: UInt8(0x41), count: 60)
        let steps = try feed(
            &connection, [begin(1)] + params(1, [("CONTENT_LENGTH", "180")]) + Array(repeating: Record(.stdin, requestID: 1, content: chunk), count: 3) + [Record(.stdin, requestID: 1)])
        guard case .answer(let request) = steps.first else { Issue.record("expected an answer"); return }
        #expect(request.body.isEmpty)
        #expect(request.bodyByteCount == 180)
    }

    @Test func parametersOverTheLimitBreakTheConnection() {
        var connection = ResponderConnection(limits: limits)
        let big = String(repeating: "v", count: 2000)
        #expect(throws: ProtocolError.self) { try feed(&connection, [begin(1)] + params(1, [("HTTP_COOKIE", big)])) }
    }

    @Test func anAbortEndsTheRequestWithoutAnAnswer() throws {
        var connection = ResponderConnection(limits: limits)
        let steps = try feed(&connection, [begin(1, keep: true)] + params(1, [("A", "1")]) + [Record(.abortRequest, requestID: 1)])
        guard case .aborted(let bytes, let keep) = steps.first else { Issue.record("expected an abort"); return }
        #expect(keep)
        #expect(try decodeRecords(bytes).map(\.type) == [.endRequest])
        // The connection is idle again: a new request is accepted.
        #expect(try feed(&connection, [begin(2)] + params(2, []) + [Record(.stdin, requestID: 2)]).count == 1)
    }

    @Test func managementRecordsAreAnsweredAtAnyTime() throws {
        var connection = ResponderConnection(limits: limits)
        let asked = Record(.getValues, requestID: 0, content: NameValuePairs.encode([("FCGI_MPXS_CONNS", ""), ("FCGI_MAX_REQS", ""), ("OTHER", "")]))
        guard case .send(let bytes) = try connection.receive(asked) else { Issue.record("no answer"); return }
        let answer = try decodeRecords(bytes)[0]
        #expect(answer.type == .getValuesResult)
        let values = try NameValuePairs.decode(answer.content).map { (String(decoding: $0.name, as: UTF8.self), String(decoding: $0.value, as: UTF8.self)) }
        #expect(values.map(\.0) == ["FCGI_MPXS_CONNS", "FCGI_MAX_REQS"])
        #expect(values.map(\.1) == ["0", "1"])

        guard case .send(let unknown) = try connection.receive(Record(rawType: 42, requestID: 0, content: [])) else {
            Issue.record("no answer to an unknown type"); return
        }
        let record = try decodeRecords(unknown)[0]
        #expect(record.type == .unknownType && record.content.first == 42)
    }

    @Test func aBodyBeforeTheParametersEndBreaksTheConnection() {
        var connection = ResponderConnection(limits: limits)
        #expect(throws: ProtocolError.self) {
            try feed(&connection, [begin(1), Record(.params, requestID: 1, content: NameValuePairs.encode([("A", "1")])), Record(.stdin, requestID: 1, content: [1])])
        }
    }

    @Test func recordsOnlyAnApplicationSendsBreakTheConnection() {
        var connection = ResponderConnection(limits: limits)
        #expect(throws: ProtocolError.self) { try connection.receive(Record(.stdout, requestID: 1, content: [1])) }
    }
}
