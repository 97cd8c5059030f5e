import Outbound
import Testing

/// The Standard Webhooks reference libraries' own test vectors (the specification ships none).
@Suite struct WebhookSignatureTests {
    @Test(arguments: [
        (
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", Int64(1_614_265_330), #"{"test": 2432232314}"#,
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        ),
        (
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD", "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk", Int64(1_649_367_553),
            #"{"email":"test@example.com","username":"test_user"}"#, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw="
        ),
    ])
    func matchesTheReferenceVectors(secret: String, id: String, timestamp: Int64, body: String, expected: String) throws {
        let secret = try #require(SigningSecret(secret))
        #expect(WebhookSignature.standard(id: id, timestamp: timestamp, body: Array(body.utf8), secrets: [secret]) == expected)
        // Any part changed (timestamp, id, one byte of the body) changes the signature.
        #expect(WebhookSignature.standard(id: id, timestamp: timestamp + 1, body: Array(body.utf8), secrets: [secret]) != expected)
        #expect(WebhookSignature.standard(id: id + "x", timestamp: timestamp, body: Array(body.utf8), secrets: [secret]) != expected)
        #expect(WebhookSignature.standard(id: id, timestamp: timestamp, body: Array(body.utf8).dropLast() + [0x20], secrets: [secret]) != expected)
    }

    @Test func duringARotationBothSecretsSignCurrentFirst() throws {
        let current = SigningSecret.generate()
        let previous = SigningSecret.generate()
        let both = WebhookSignature.standard(id: "msg_1", timestamp: 1, body: [1], secrets: [current, previous])
        let parts = both.split(separator: " ").map(String.init)
        #expect(parts == [
            WebhookSignature.standard(id: "msg_1", timestamp: 1, body: [1], secrets: [current]),
            WebhookSignature.standard(id: "msg_1", timestamp: 1, body: [1], secrets: [previous]),
        ])
    }

    @Test func aGeneratedSecretHasThePrefixAndThirtyTwoBytes() throws {
        let secret = SigningSecret.generate()
        #expect(secret.text.hasPrefix("whsec_"))
        #expect(secret.text.count == 6 + 44)
        #expect(SigningSecret("whsec_") == nil)
        #expect(SigningSecret("abc") == nil)
        #expect(secret != SigningSecret.generate())
    }

    /// Seed 004's verifier: hex HMAC-SHA256 of the body keyed with the secret as shown
    /// (computed independently with Python's hmac module).
    @Test func theSeedSignatureIsTheHexHMACKeyedWithTheSecretText() throws {
        let secret = try #require(SigningSecret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"))
        #expect(WebhookSignature.hex(body: Array(#"{"test": 2432232314}"#.utf8), secret: secret) == "80ec8a89ce3cd22133a1066caecb4d04fea7467657c8514d717ec42c38a5c94c")
    }
}
