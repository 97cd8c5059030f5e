import CLibCrypto

/// libcrypto's functions, loaded the first time one is needed (see Shared/CLibCrypto/shim.h for
/// why it is not linked).
enum LibCrypto {
    /// The table, loaded once per process. libcrypto.so.3 is on every Debian and Ubuntu system
    /// (libssl3: apt, OpenSSH and libpq need it), so not finding it is a broken installation,
    /// not a request's fault: the process stops and says what to install.
    static let functions: leadwire_libcrypto = {
        var table = leadwire_libcrypto()
        if let failure = leadwire_libcrypto_load(&table) {
            fatalError("libcrypto cannot be loaded (\(String(cString: failure))); install libssl3")
        }
        return table
    }()
}

/// One digest context, freed with its owner.
final class DigestContext {
    let pointer: OpaquePointer

    init() {
        guard let pointer = LibCrypto.functions.EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        self.pointer = pointer
    }

    deinit { LibCrypto.functions.EVP_MD_CTX_free(pointer) }
}

/// One cipher context, freed with its owner.
final class CipherContext {
    let pointer: OpaquePointer

    init() {
        guard let pointer = LibCrypto.functions.EVP_CIPHER_CTX_new() else { fatalError("libcrypto could not allocate a cipher context") }
        self.pointer = pointer
    }

    deinit { LibCrypto.functions.EVP_CIPHER_CTX_free(pointer) }
}
