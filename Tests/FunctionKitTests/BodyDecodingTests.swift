import FunctionKit
import HTTPTypes
import Testing

@Suite struct BodyDecodingTests {
    func request(_ body: String, contentType: String?) -> Request {
        var headers = HTTPFields()
        if let contentType { headers[.contentType] = contentType }
        return Request(method: .post, path: "/kommo-webhook", headers: headers, body: Array(body.utf8))
    }

    @Test func decodesJSONAndFormByContentType() throws {
        #expect(try request(#"{"a":"1"}"#, contentType: "application/json; charset=utf-8").decodedBody() == ["a": "1"])
        #expect(try request("a=1", contentType: "application/x-www-form-urlencoded").decodedBody() == ["a": "1"])
    }

    @Test func sniffsBodiesSentWithoutAContentType() throws {
        #expect(try request(#"  {"a":"1"}"#, contentType: nil).decodedBody() == ["a": "1"])
        #expect(try request("leads[add][0][id]=1", contentType: nil).decodedBody()["leads"]?["add"]?[0]?["id"] == "1")
    }

    @Test func refusesOtherMediaTypesWith415() {
        #expect {
            try request("<xml/>", contentType: "text/xml").decodedBody()
        } throws: { error in
            (error as? HTTPError)?.status == .unsupportedMediaType && (error as? HTTPError)?.message.contains("text/xml") == true
        }
    }

    @Test func refusesBrokenJSONWith400SayingWhere() {
        #expect {
            try request(#"{"leads": ["#, contentType: "application/json").decodedBody()
        } throws: { error in
            guard let error = error as? HTTPError else { return false }
            return error.status == .badRequest && error.code == .invalidJson && error.message.contains("byte")
        }
    }

    @Test func refusesEmptyBodies() {
        #expect(throws: HTTPError.badRequest("The body is empty.", code: .emptyBody)) {
            try request("", contentType: "application/json").decodedBody()
        }
    }

    @Test func refusesOversizeBodiesWith413() {
        var oversized = request("", contentType: "application/json")
        oversized.bodyLimitExceeded = BodyLimitExceeded(length: 2_000_000, limit: 1_048_576)
        #expect {
            try oversized.decodedBody()
        } throws: { error in
            (error as? HTTPError)?.status == .contentTooLarge && (error as? HTTPError)?.message.contains("2000000") == true
        }
    }

    @Test func methodCheckAnswers405WithAllow() {
        let get = Request(method: .get, path: "/kommo-webhook")
        #expect {
            try get.require(method: .post)
        } throws: { error in
            (error as? HTTPError)?.status == .methodNotAllowed && (error as? HTTPError)?.headers[.allow] == "POST"
        }
    }
}

@Suite struct Base64Tests {
    /// RFC 4648 section 10's vectors, and bytes that are not text.
    @Test(arguments: [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="), ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")])
    func matchesTheRFCVectors(plain: String, encoded: String) {
        #expect(Base64.encode(Array(plain.utf8)) == encoded)
        #expect(Base64.decode(encoded) == Array(plain.utf8))
    }

    @Test func roundTripsEveryByteAndRefusesWhatIsNotBase64() {
        let bytes = (0...255).map(UInt8.init) + [0xFF, 0xFE, 0x00]
        #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        #expect(Base64.decode("Zm9") == nil)
        #expect(Base64.decode("Zm=v") == nil)
        #expect(Base64.decode("Z===") == nil)
        #expect(Base64.decode("Zg==Zg==") == nil)
        #expect(Base64.decode("Zm9*") == nil)
    }
}
