// The OpenSSL 3 headers OlafCrypto uses. Only Sources/Crypto imports this module.
#ifndef OLAF_COPENSSL_SHIM_H
#define OLAF_COPENSSL_SHIM_H
#include <openssl/opensslv.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif
