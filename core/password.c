/* P7 credentials (DESIGN.md section 10, store.h): PBKDF2-HMAC-SHA256 with a
 * random salt, stored as "pbkdf2-sha256$ITER$SALT$HASH" (base64), compared in
 * constant time. Part of libx400ms so that P7 and the admin API share it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include "x400ms/store.h"

#define SALT_LEN 16
#define KEY_LEN 32
#define ITER_MAX 10000000u
#define PREFIX "pbkdf2-sha256$"

int x400ms_password_hash(const char *password, size_t password_len, unsigned iterations,
                         char *out, size_t out_size, struct x400ms_error *err)
{
    unsigned char salt[SALT_LEN], key[KEY_LEN];
    char salt64[((SALT_LEN + 2) / 3) * 4 + 1], key64[((KEY_LEN + 2) / 3) * 4 + 1];
    int n;

    if (!password || !out)
        return x400ms_error_set(err, X400MS_EINVAL, "password hash: password or output missing");
    if (iterations == 0)
        iterations = X400MS_PASSWORD_DEFAULT_ITERATIONS;
    if (iterations > ITER_MAX)
        return x400ms_error_set(err, X400MS_EINVAL, "password hash: %u iterations, at most %u", iterations,
                                ITER_MAX);
    if (RAND_bytes(salt, sizeof salt) != 1 ||
        PKCS5_PBKDF2_HMAC(password, (int)password_len, salt, sizeof salt, (int)iterations, EVP_sha256(),
                          sizeof key, key) != 1)
        return x400ms_error_set(err, X400MS_EIO, "password hash: OpenSSL failed");
    EVP_EncodeBlock((unsigned char *)salt64, salt, sizeof salt);
    EVP_EncodeBlock((unsigned char *)key64, key, sizeof key);
    OPENSSL_cleanse(key, sizeof key);
    n = snprintf(out, out_size, PREFIX "%u$%s$%s", iterations, salt64, key64);
    if (n < 0 || (size_t)n >= out_size)
        return x400ms_error_set(err, X400MS_ELIMIT, "password hash: output buffer of %zu bytes too small",
                                out_size);
    return 0;
}

/* Decodes base64 text of exactly `want` bytes. */
static int decode64(const char *text, size_t text_len, unsigned char *out, size_t want)
{
    unsigned char buf[64];
    int n;
    if (text_len == 0 || text_len % 4 != 0 || text_len / 4 * 3 > sizeof buf)
        return -1;
    n = EVP_DecodeBlock(buf, (const unsigned char *)text, (int)text_len);
    if (n < 0)
        return -1;
    /* EVP_DecodeBlock counts padding as zero bytes. */
    while (text_len && text[text_len - 1] == '=') {
        text_len--;
        n--;
    }
    if ((size_t)n != want)
        return -1;
    memcpy(out, buf, want);
    return 0;
}

int x400ms_password_verify(const char *password, size_t password_len, const char *stored,
                           struct x400ms_error *err)
{
    unsigned char salt[SALT_LEN], want[KEY_LEN], got[KEY_LEN];
    const char *p, *salt_end, *key;
    char *end;
    unsigned long iter;
    int ok;

    if (!password || !stored || strncmp(stored, PREFIX, strlen(PREFIX)) != 0)
        return x400ms_error_set(err, X400MS_EINVAL, "password verify: stored hash is not %s...", PREFIX);
    p = stored + strlen(PREFIX);
    iter = strtoul(p, &end, 10);
    if (end == p || *end != '$' || iter == 0 || iter > ITER_MAX)
        return x400ms_error_set(err, X400MS_EINVAL, "password verify: bad iteration count");
    salt_end = strchr(end + 1, '$');
    if (!salt_end)
        return x400ms_error_set(err, X400MS_EINVAL, "password verify: salt missing");
    key = salt_end + 1;
    if (decode64(end + 1, (size_t)(salt_end - end - 1), salt, sizeof salt) != 0 ||
        decode64(key, strlen(key), want, sizeof want) != 0)
        return x400ms_error_set(err, X400MS_EINVAL, "password verify: bad salt or hash encoding");
    if (PKCS5_PBKDF2_HMAC(password, (int)password_len, salt, sizeof salt, (int)iter, EVP_sha256(),
                          sizeof got, got) != 1)
        return x400ms_error_set(err, X400MS_EIO, "password verify: OpenSSL failed");
    ok = CRYPTO_memcmp(got, want, sizeof got) == 0;
    OPENSSL_cleanse(got, sizeof got);
    return ok ? 0 : x400ms_error_set(err, X400MS_EAUTH, "password does not match");
}
