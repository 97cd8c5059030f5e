import Crypto
import FunctionKit
import SecretSealing
import Testing

@Suite struct SecretBoxTests {
    let keyBytes = (0..<32).map { UInt8($0 * 7 % 256) }

    @Test(arguments: [0, 1, 15, 16, 17, 32, 33, 1000])
    func swiftCryptoOpensWhatIsSealedAndBack(length: Int) throws {
        let key = try SealingKey(bytes: keyBytes)
        let plaintext = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 5) }
        let reference = SymmetricKey(data: keyBytes)
        let context = Array("sub_1".utf8)

        let sealed = SecretBox.seal(plaintext, key: key, context: "sub_1")
        #expect(sealed.count == 12 + length + 16)
        let box = try AES.GCM.SealedBox(combined: sealed)
        #expect(Array(try AES.GCM.open(box, using: reference, authenticating: context)) == plaintext)

        let theirs = try AES.GCM.seal(plaintext, using: reference, authenticating: context).combined!
        #expect(try SecretBox.open(Array(theirs), key: key, context: "sub_1") == plaintext)
    }

    @Test func aChangedByteAnotherContextOrAnotherKeyDoesNotOpen() throws {
        let key = try SealingKey(bytes: keyBytes)
        let sealed = SecretBox.seal(Array("whsec_abc".utf8), key: key, context: "sub_1")
        for index in [0, 12, sealed.count - 1] {
            var damaged = sealed
            damaged[index] ^= 1
            #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(damaged, key: key, context: "sub_1") }
        }
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(sealed, key: key, context: "sub_2") }
        let other = try SealingKey(bytes: [UInt8](repeating: 9, count: 32))
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.open(sealed, key: other, context: "sub_1") }
        #expect(throws: SecretBox.OpenError.self) { try SecretBox.open([1, 2, 3], key: key, context: "sub_1") }
    }

    @Test func theKeySettingIsCheckedWithAClearError() throws {
        #expect(throws: ConfigurationError.self) { try SealingKey(Environment()) }
        #expect(throws: ConfigurationError.self) { try SealingKey(Environment(["LEADWIRE_SECRET_KEY": "abcd"])) }
        #expect(throws: ConfigurationError.self) { try SealingKey(Environment(["LEADWIRE_SECRET_KEY": "not a key!"])) }
        let hex = String(repeating: "ab", count: 32)
        _ = try SealingKey(Environment(["LEADWIRE_SECRET_KEY": hex]))
        _ = try SealingKey(Environment(["LEADWIRE_SECRET_KEY": "q80B0r3xq80B0r3xq80B0r3xq80B0r3xq80B0r3xq80="]))
        do {
            _ = try SealingKey(Environment())
        } catch {
            #expect(error.message.contains("openssl rand -hex 32"))
        }
    }
}
