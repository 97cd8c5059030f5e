// libcrypto, OpenSSL's cryptography library (Debian's libssl3; libssl-dev for its headers).
//
// The functions do not link it: loading libcrypto.so.3 and running its start-up costs about three
// milliseconds, which a function that never needs it would pay on every CGI request (hashes and
// HMACs of messages in memory are computed in Swift, see SystemCrypto's SHA2).
// `leadwire_libcrypto_load` opens it the first time a streamed digest or a cipher is needed and
// fills a table of its functions, each typed from OpenSSL's own declarations.
#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#define LEADWIRE_LIBCRYPTO_FUNCTION(name) __typeof__(name) *name;

typedef struct {
    LEADWIRE_LIBCRYPTO_FUNCTION(OPENSSL_init_crypto)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_sha256)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_MD_CTX_new)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_MD_CTX_free)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_DigestInit_ex)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_DigestUpdate)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_DigestFinal_ex)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_aes_256_gcm)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_CIPHER_CTX_new)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_CIPHER_CTX_free)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_CIPHER_CTX_ctrl)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_EncryptInit_ex)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_EncryptUpdate)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_EncryptFinal_ex)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_DecryptInit_ex)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_DecryptUpdate)
    LEADWIRE_LIBCRYPTO_FUNCTION(EVP_DecryptFinal_ex)
} leadwire_libcrypto;

// Fills `table`; returns NULL, or what failed (libcrypto is not installed, or lacks a function).
static inline const char *leadwire_libcrypto_load(leadwire_libcrypto *table) {
    void *library = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (library == NULL) return dlerror();
#define LEADWIRE_LIBCRYPTO_LOAD(name) \
    if ((table->name = (__typeof__(name) *)dlsym(library, #name)) == NULL) return dlerror();
    LEADWIRE_LIBCRYPTO_LOAD(OPENSSL_init_crypto)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_sha256)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_MD_CTX_new)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_MD_CTX_free)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_DigestInit_ex)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_DigestUpdate)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_DigestFinal_ex)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_aes_256_gcm)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_CIPHER_CTX_new)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_CIPHER_CTX_free)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_CIPHER_CTX_ctrl)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_EncryptInit_ex)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_EncryptUpdate)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_EncryptFinal_ex)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_DecryptInit_ex)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_DecryptUpdate)
    LEADWIRE_LIBCRYPTO_LOAD(EVP_DecryptFinal_ex)
#undef LEADWIRE_LIBCRYPTO_LOAD
    // Without the system's openssl.cnf (nothing Leadwire uses is configured there, and reading it
    // costs about 2 ms of a process's first digest) and without an exit handler (a function's
    // process ends right after its answer; cleaning libcrypto up then is time spent for nothing).
    if (table->OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG | OPENSSL_INIT_NO_ATEXIT, NULL) != 1) return "OPENSSL_init_crypto failed";
    return NULL;
}
