import CLibCrypto

/// SHA-256. A message in memory is hashed here in Swift (`hash`, see `SHA2`), without loading
/// libcrypto; a stream fed in pieces of any size (an export, hundreds of megabytes) goes through
/// the system's libcrypto, which hashes several times faster once loaded. Checked against the
/// FIPS 180-4 vectors and against swift-crypto.
public final class SHA256 {
    public static let byteCount = 32
    private let context = DigestContext()

    public init() {
        // Only an allocation failure inside libcrypto fails here: nothing a caller could handle.
        guard LibCrypto.functions.EVP_DigestInit_ex(context.pointer, LibCrypto.functions.EVP_sha256(), nil) == 1 else {
            fatalError("libcrypto could not start a SHA-256 digest")
        }
    }

    /// The digest of `bytes` in one call.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { SHA2<SHA256Variant>.hash($0) }
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public func update(_ bytes: UnsafeRawBufferPointer) {
        guard let start = bytes.baseAddress, !bytes.isEmpty else { return }
        _ = LibCrypto.functions.EVP_DigestUpdate(context.pointer, start, bytes.count)
    }

    /// The 32-byte digest. The hasher is spent afterwards.
    public func finalize() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: Self.byteCount)
        var length: UInt32 = 0
        _ = LibCrypto.functions.EVP_DigestFinal_ex(context.pointer, &digest, &length)
        return digest
    }
}
