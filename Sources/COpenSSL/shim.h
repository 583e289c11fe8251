#ifndef STRONGROOM_COPENSSL_SHIM_H
#define STRONGROOM_COPENSSL_SHIM_H

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/obj_mac.h>
#include <openssl/param_build.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

// Function-like macros Swift cannot import.
static inline void strongroom_OPENSSL_free(void *p) { OPENSSL_free(p); }
static inline int strongroom_EVP_PKEY_CTX_set_rsa_padding(EVP_PKEY_CTX *ctx, int pad) { return EVP_PKEY_CTX_set_rsa_padding(ctx, pad); }
static inline unsigned long strongroom_ERR_get_error_all(const char **file, int *line, const char **func, const char **data, int *flags) {
    return ERR_get_error_all(file, line, func, data, flags);
}

// X509_NAME_print_ex flags: RFC 2253 text (most specific RDN first, no spaces).
static inline unsigned long strongroom_XN_FLAG_RFC2253(void) { return XN_FLAG_RFC2253; }

// GCM over OpenSSL's GCM128 (KMIPCrypto/Symmetric: nonces longer than EVP's 128-byte limit).
#include <openssl/modes.h>

#endif
