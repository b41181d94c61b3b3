/* A tiny blocking HTTP/1.1 client over TCP (no TLS), enough for the admin
 * API: one request per connection ("Connection: close"), the response read
 * to the end. Used by tools/x400ms-admin and the admin integration tests
 * (libcurl is not a dependency of x400ms). */
#ifndef X4_HTTP_CLIENT_H
#define X4_HTTP_CLIENT_H

#include <stddef.h>

struct x4h_response {
    int status;       /* e.g. 200; 0 when no status line was received */
    char *head;       /* status line and headers, NUL-terminated */
    char *body;       /* NUL-terminated (the body may also contain NULs) */
    size_t body_len;
};

/* Sends method path with an optional bearer token and body (content type
 * application/json when body is not NULL), to host:port (numeric IPv4/IPv6).
 * Returns 0 and fills resp, or -1 with errno set / a message in errbuf. */
int x4h_request(const char *host, int port, const char *method, const char *path,
                const char *token, const char *body, size_t body_len, int timeout_ms,
                struct x4h_response *resp, char *errbuf, size_t errlen);

/* The value of header `name` (case-insensitive) copied into out; NULL when absent. */
const char *x4h_header(const struct x4h_response *resp, const char *name, char *out, size_t outlen);

void x4h_response_free(struct x4h_response *resp);

#endif
