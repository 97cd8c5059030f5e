import Crypto
import SystemCrypto
import Testing

@Suite struct SHA256Tests {
    /// FIPS 180-4 example vectors (one block, two blocks, a million "a").
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        (String(repeating: "a", count: 1_000_000), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
    func matchesTheStandardVectors(input: String, expected: String) {
        #expect(Hex.encode(SystemCrypto.SHA256.hash(Array(input.utf8))) == expected)
    }

    /// Every length around the block and padding boundaries, fed whole and in uneven pieces,
    /// agrees with swift-crypto.
    @Test func agreesWithSwiftCryptoAtEveryBoundary() {
        var generator = SeededGenerator(seed: 7)
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Array(Crypto.SHA256.hash(data: bytes))
            #expect(SystemCrypto.SHA256.hash(bytes) == reference, "length \(length)")
            let pieces = SystemCrypto.SHA256()
            var offset = 0
            while offset < length {
                let size = min(Int.random(in: 1...70, using: &generator), length - offset)
                pieces.update(Array(bytes[offset..<offset + size]))
                offset += size
            }
            #expect(pieces.finalize() == reference, "length \(length) in pieces")
        }
    }
}

@Suite struct HMACSHA256Tests {
    /// RFC 4231 test cases 1, 2, 6 (key longer than a block) and 7.
    @Test(arguments: [
        (Hex.decode("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b")!, Array("Hi There".utf8),
         "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
        (Array("Jefe".utf8), Array("what do ya want for nothing?".utf8),
         "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
        ([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8),
         "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
        ([UInt8](repeating: 0xaa, count: 131),
         Array("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.".utf8),
         "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
    ])
    func matchesRFC4231(key: [UInt8], message: [UInt8], expected: String) {
        #expect(Hex.encode(HMACSHA256.code(for: message, key: key)) == expected)
        #expect(HMACSHA256.isValid(Hex.decode(expected)!, for: message, key: key))
    }

    @Test func agreesWithSwiftCryptoAndRefusesAnyChangedByte() {
        var generator = SeededGenerator(seed: 11)
        for keyLength in [0, 1, 32, 63, 64, 65, 200] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let message = (0..<Int.random(in: 0...500, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(HMACSHA256.code(for: message, key: key) == reference, "key length \(keyLength)")
            var altered = reference
            altered[Int.random(in: 0..<32, using: &generator)] ^= 0x01
            #expect(!HMACSHA256.isValid(altered, for: message, key: key))
            #expect(!HMACSHA256.isValid(Array(reference.dropLast()), for: message, key: key))
        }
    }
}

@Suite struct HMACSHA512Tests {
    /// RFC 4231 test case 2, and agreement with swift-crypto for keys around the block size (128).
    @Test func matchesRFC4231AndSwiftCrypto() {
        let code = HMACSHA512.code(for: Array("what do ya want for nothing?".utf8), key: Array("Jefe".utf8))
        #expect(
            Hex.encode(code)
                == "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737")
        var generator = SeededGenerator(seed: 13)
        for keyLength in [0, 1, 64, 127, 128, 129, 300] {
            let key = (0..<keyLength).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let message = (0..<Int.random(in: 0...500, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let reference = Array(HMAC<Crypto.SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(HMACSHA512.code(for: message, key: key) == reference, "key length \(keyLength)")
        }
    }
}

/// Both HMACs over every message length across two blocks and their padding boundaries (SHA-256's
/// blocks are 64 bytes, SHA-512's 128), which is where a hash's own code can go wrong.
@Suite struct HMACAtEveryLengthTests {
    @Test func agreesWithSwiftCryptoForEveryMessageLength() {
        var generator = SeededGenerator(seed: 19)
        let key = (0..<40).map { _ in UInt8.random(in: 0...255, using: &generator) }
        for length in 0...300 {
            let message = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let sha256 = Array(HMAC<Crypto.SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            let sha512 = Array(HMAC<Crypto.SHA512>.authenticationCode(for: message, using: SymmetricKey(data: key)))
            #expect(HMACSHA256.code(for: message, key: key) == sha256, "length \(length)")
            #expect(HMACSHA512.code(for: message, key: key) == sha512, "length \(length)")
        }
    }
}

@Suite struct AES256GCMTests {
    /// What one side seals the other opens, both ways, and a changed byte anywhere is refused.
    @Test func agreesWithSwiftCryptoBothWays() throws {
        var generator = SeededGenerator(seed: 17)
        for length in [0, 1, 15, 16, 17, 1000] {
            let random = { (count: Int) in (0..<count).map { _ in UInt8.random(in: 0...255, using: &generator) } }
            let key = random(32), nonce = random(12), plaintext = random(length), authenticated = random(length % 7)
            let (ciphertext, tag) = AES256GCM.seal(plaintext, key: key, nonce: nonce, authenticated: authenticated)
            let box = try AES.GCM.SealedBox(nonce: AES.GCM.Nonce(data: nonce), ciphertext: ciphertext, tag: tag)
            #expect(Array(try AES.GCM.open(box, using: SymmetricKey(data: key), authenticating: authenticated)) == plaintext)

            let theirs = try AES.GCM.seal(plaintext, using: SymmetricKey(data: key), nonce: AES.GCM.Nonce(data: nonce), authenticating: authenticated)
            #expect(AES256GCM.open(Array(theirs.ciphertext), tag: Array(theirs.tag), key: key, nonce: nonce, authenticated: authenticated) == plaintext)

            var changedTag = tag
            changedTag[length % 16] ^= 0x80
            #expect(AES256GCM.open(ciphertext, tag: changedTag, key: key, nonce: nonce, authenticated: authenticated) == nil)
            #expect(AES256GCM.open(ciphertext, tag: tag, key: key, nonce: nonce, authenticated: authenticated + [0]) == nil)
        }
    }
}

@Suite struct ConstantTimeTests {
    @Test func comparesWholeSecrets() {
        #expect(constantTimeEquals("secret-token", "secret-token"))
        #expect(!constantTimeEquals("secret-token", "secret-tokeN"))
        #expect(!constantTimeEquals("secret", "secret-token"))
        #expect(constantTimeEquals("", ""))
    }
}

@Suite struct HexTests {
    @Test func roundTripsAndRefusesWhatIsNotHex() {
        let bytes: [UInt8] = [0x00, 0x0f, 0xa5, 0xff]
        #expect(Hex.encode(bytes) == "000fa5ff")
        #expect(Hex.decode("000FA5ff") == bytes)
        #expect(Hex.decode("") == [])
        #expect(Hex.decode("abc") == nil, "an odd number of digits")
        #expect(Hex.decode("zz") == nil)
        #expect(Hex.decode("0x12") == nil)
    }
}

/// A small deterministic generator (SplitMix64), so a failure names inputs that can be rerun.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
