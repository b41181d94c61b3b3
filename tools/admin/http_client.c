/* A tiny blocking HTTP/1.1 client (RFC 9112) for the admin API. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "tools/admin/http_client.h"

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int connect_to(const char *host, int port, char *errbuf, size_t errlen)
{
    struct sockaddr_storage ss;
    socklen_t len;
    memset(&ss, 0, sizeof ss);
    struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, host, &sin->sin_addr) == 1) {
        sin->sin_family = AF_INET;
        sin->sin_port = htons((uint16_t)port);
        len = sizeof *sin;
    } else if (inet_pton(AF_INET6, host, &sin6->sin6_addr) == 1) {
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons((uint16_t)port);
        len = sizeof *sin6;
    } else {
        snprintf(errbuf, errlen, "%s: not a numeric IPv4 or IPv6 address", host);
        return -1;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0 || connect(fd, (struct sockaddr *)&ss, len) < 0) {
        snprintf(errbuf, errlen, "connect to %s port %d: %s", host, port, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        long long left = deadline - now_ms();
        if (left <= 0) {
            errno = ETIMEDOUT;
            return -1;
        }
        struct pollfd p = { .fd = fd, .events = events };
        int n = poll(&p, 1, (int)left);
        if (n > 0)
            return 0;
        if (n < 0 && errno != EINTR)
            return -1;
    }
}

static int send_all(int fd, const char *data, size_t len, long long deadline)
{
    while (len > 0) {
        if (wait_fd(fd, POLLOUT, deadline) < 0)
            return -1;
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

static int parse_response(char *raw, size_t len, struct x4h_response *resp)
{
    char *end = NULL;
    for (size_t i = 0; i + 3 < len; i++)
        if (memcmp(raw + i, "\r\n\r\n", 4) == 0) {
            end = raw + i;
            break;
        }
    if (end == NULL)
        return -1;
    size_t head_len = (size_t)(end - raw);
    resp->head = malloc(head_len + 1);
    if (resp->head == NULL)
        return -1;
    memcpy(resp->head, raw, head_len);
    resp->head[head_len] = '\0';
    if (sscanf(resp->head, "HTTP/1.%*d %d", &resp->status) != 1)
        return -1;
    const char *body = end + 4;
    size_t body_len = len - head_len - 4;
    char value[32];
    if (x4h_header(resp, "Content-Length", value, sizeof value) != NULL) {
        size_t declared = (size_t)strtoull(value, NULL, 10);
        if (declared < body_len)
            body_len = declared;
    }
    resp->body = malloc(body_len + 1);
    if (resp->body == NULL)
        return -1;
    memcpy(resp->body, body, body_len);
    resp->body[body_len] = '\0';
    resp->body_len = body_len;
    return 0;
}

int x4h_request(const char *host, int port, const char *method, const char *path,
                const char *token, const char *body, size_t body_len, int timeout_ms,
                struct x4h_response *resp, char *errbuf, size_t errlen)
{
    memset(resp, 0, sizeof *resp);
    long long deadline = now_ms() + timeout_ms;
    int fd = connect_to(host, port, errbuf, errlen);
    if (fd < 0)
        return -1;
    char head[8192];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: %s:%d\r\nConnection: close\r\n"
                     "User-Agent: x400ms-admin\r\nAccept: application/json\r\n",
                     method, path, host, port);
    if (token != NULL)
        n += snprintf(head + n, sizeof head - (size_t)n, "Authorization: Bearer %s\r\n", token);
    if (body != NULL)
        n += snprintf(head + n, sizeof head - (size_t)n,
                      "Content-Type: application/json\r\nContent-Length: %zu\r\n", body_len);
    n += snprintf(head + n, sizeof head - (size_t)n, "\r\n");
    if ((size_t)n >= sizeof head) {
        snprintf(errbuf, errlen, "request head too long");
        close(fd);
        return -1;
    }
    if (send_all(fd, head, (size_t)n, deadline) < 0 ||
        (body != NULL && send_all(fd, body, body_len, deadline) < 0)) {
        /* The server may answer early (413) and close: still read it. */
        if (errno != EPIPE && errno != ECONNRESET) {
            snprintf(errbuf, errlen, "send: %s", strerror(errno));
            close(fd);
            return -1;
        }
    }
    size_t cap = 16384, len = 0;
    char *raw = malloc(cap);
    while (raw != NULL) {
        if (len + 1 >= cap) {
            char *grown = realloc(raw, cap * 2);
            if (grown == NULL) {
                free(raw);
                raw = NULL;
                break;
            }
            raw = grown;
            cap *= 2;
        }
        if (wait_fd(fd, POLLIN, deadline) < 0) {
            snprintf(errbuf, errlen, "waiting for the response: %s", strerror(errno));
            free(raw);
            close(fd);
            return -1;
        }
        ssize_t r = recv(fd, raw + len, cap - len - 1, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0 && errno == ECONNRESET && len > 0)
            break;
        if (r < 0) {
            snprintf(errbuf, errlen, "recv: %s", strerror(errno));
            free(raw);
            close(fd);
            return -1;
        }
        if (r == 0)
            break;
        len += (size_t)r;
    }
    close(fd);
    if (raw == NULL) {
        snprintf(errbuf, errlen, "out of memory");
        return -1;
    }
    int rc = parse_response(raw, len, resp);
    free(raw);
    if (rc < 0) {
        snprintf(errbuf, errlen, "malformed or empty HTTP response (%zu bytes)", len);
        x4h_response_free(resp);
        return -1;
    }
    return 0;
}

const char *x4h_header(const struct x4h_response *resp, const char *name, char *out, size_t outlen)
{
    size_t nlen = strlen(name);
    const char *line = resp->head != NULL ? strstr(resp->head, "\r\n") : NULL;
    while (line != NULL) {
        line += 2;
        if (strncasecmp(line, name, nlen) == 0 && line[nlen] == ':') {
            const char *v = line + nlen + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t vlen = e != NULL ? (size_t)(e - v) : strlen(v);
            if (vlen >= outlen)
                vlen = outlen - 1;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return out;
        }
        line = strstr(line, "\r\n");
    }
    return NULL;
}

void x4h_response_free(struct x4h_response *resp)
{
    free(resp->head);
    free(resp->body);
    memset(resp, 0, sizeof *resp);
}
