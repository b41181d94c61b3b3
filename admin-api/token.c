/* admin-api: loading, creating and checking the bearer token. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include "admin-api/token.h"

static int create_token_file(const char *path, struct x400ms_error *err)
{
    unsigned char raw[32];
    char hex[2 * sizeof raw + 2];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return x400ms_error_set(err, X400MS_EIO, "%s: no random bytes from OpenSSL", path);
    for (size_t i = 0; i < sizeof raw; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    strcat(hex, "\n");
    OPENSSL_cleanse(raw, sizeof raw);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return 0; /* someone else created it: read theirs */
        return x400ms_error_set(err, X400MS_EIO, "%s: cannot create the token file: %s", path,
                                strerror(errno));
    }
    size_t len = strlen(hex);
    ssize_t n = write(fd, hex, len);
    int rc = (n == (ssize_t)len && fsync(fd) == 0) ? 0 : -1;
    int saved = errno;
    close(fd);
    OPENSSL_cleanse(hex, sizeof hex);
    if (rc < 0) {
        unlink(path);
        return x400ms_error_set(err, X400MS_EIO, "%s: cannot write the token file: %s", path,
                                strerror(saved));
    }
    return 0;
}

int admin_token_load(const char *path, unsigned char digest[32], bool *created,
                     struct x400ms_error *err)
{
    char buf[ADMIN_TOKEN_MAX + 2];
    *created = false;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT) {
        int rc = create_token_file(path, err);
        if (rc < 0)
            return rc;
        *created = true;
        fd = open(path, O_RDONLY | O_CLOEXEC);
    }
    if (fd < 0)
        return x400ms_error_set(err, X400MS_EIO, "%s: cannot open the token file: %s", path,
                                strerror(errno));
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fd, buf + len, sizeof buf - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int saved = errno;
            close(fd);
            return x400ms_error_set(err, X400MS_EIO, "%s: cannot read the token file: %s", path,
                                    strerror(saved));
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len == sizeof buf - 1)
            break;
    }
    close(fd);
    if (len > ADMIN_TOKEN_MAX) {
        OPENSSL_cleanse(buf, sizeof buf);
        return x400ms_error_set(err, X400MS_EINVAL, "%s: token longer than %d bytes", path,
                                ADMIN_TOKEN_MAX);
    }
    size_t start = 0, end = len;
    while (start < end && (buf[start] == ' ' || buf[start] == '\t' || buf[start] == '\r' ||
                           buf[start] == '\n'))
        start++;
    while (end > start && (buf[end - 1] == ' ' || buf[end - 1] == '\t' || buf[end - 1] == '\r' ||
                           buf[end - 1] == '\n'))
        end--;
    if (end == start)
        return x400ms_error_set(err, X400MS_EINVAL, "%s: the token file is empty", path);
    for (size_t i = start; i < end; i++)
        if ((unsigned char)buf[i] <= ' ' || (unsigned char)buf[i] >= 0x7f) {
            OPENSSL_cleanse(buf, sizeof buf);
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s: the token must be printable ASCII without spaces", path);
        }
    SHA256((const unsigned char *)buf + start, end - start, digest);
    OPENSSL_cleanse(buf, sizeof buf);
    return 0;
}

bool admin_token_check(const unsigned char digest[32], const char *authorization)
{
    unsigned char given[32];
    if (authorization == NULL || strncasecmp(authorization, "Bearer ", 7) != 0)
        return false;
    const char *tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    size_t len = strlen(tok);
    while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
        len--;
    if (len == 0 || len > ADMIN_TOKEN_MAX)
        return false;
    /* Comparing digests keeps the time independent of where the strings
     * differ and of the token's length. */
    SHA256((const unsigned char *)tok, len, given);
    return CRYPTO_memcmp(given, digest, sizeof given) == 0;
}
