/* admin-api: the bearer token (RFC 6750) that every request must carry. */
#ifndef ADMIN_TOKEN_H
#define ADMIN_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include "x400ms/error.h"

#define ADMIN_TOKEN_MAX 512

/* Reads the token from path; when the file does not exist, creates it (mode
 * 0600, never replacing a file that appears meanwhile) with 32 random bytes
 * in hex and sets *created. Leading/trailing white space is not part of the
 * token. Stores SHA-256(token) in digest. Returns 0 or an error naming the
 * file (empty token, unreadable, too long). */
int admin_token_load(const char *path, unsigned char digest[32], bool *created,
                     struct x400ms_error *err);

/* Checks an Authorization header value against digest in constant time:
 * true only for "Bearer <token>" (scheme case-insensitive, RFC 6750 2.1). */
bool admin_token_check(const unsigned char digest[32], const char *authorization);

#endif
