/* The plain TCP byte stream under TPKT, and socket helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "modules/transport/rfc1006/rfc1006.h"

void *r1_tcp_stream(int fd)
{
    return (void *)(intptr_t)(fd + 1); /* +1: fd 0 must not look like NULL */
}

static int stream_fd(void *stream)
{
    return (int)(intptr_t)stream - 1;
}

static int tcp_handshake(void *stream, unsigned *want, struct x400ms_error *err)
{
    (void)stream, (void)want, (void)err;
    return 0;
}

static long tcp_read(void *stream, void *buf, size_t len, unsigned *want, struct x400ms_error *err)
{
    ssize_t n = recv(stream_fd(stream), buf, len, 0);

    if (n >= 0)
        return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        *want = X400MS_IO_READ;
        return X400MS_EAGAIN;
    }
    if (errno == ECONNRESET)
        return x400ms_error_set(err, X400MS_ECLOSED, "connection reset by peer");
    return x400ms_error_set(err, X400MS_EIO, "recv: %s", strerror(errno));
}

static long tcp_write(void *stream, const void *buf, size_t len, unsigned *want,
                      struct x400ms_error *err)
{
    ssize_t n = send(stream_fd(stream), buf, len, MSG_NOSIGNAL);

    if (n >= 0)
        return (long)n;
    if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
        *want = X400MS_IO_WRITE;
        return X400MS_EAGAIN;
    }
    if (errno == EPIPE || errno == ECONNRESET)
        return x400ms_error_set(err, X400MS_ECLOSED, "send: peer closed the connection");
    return x400ms_error_set(err, X400MS_EIO, "send: %s", strerror(errno));
}

static size_t tcp_pending(void *stream)
{
    (void)stream;
    return 0;
}

static void tcp_close(void *stream)
{
    (void)stream; /* the engine closes the socket */
}

const struct x400ms_tstream_ops r1_tcp_stream_ops = {
    .size = sizeof(struct x400ms_tstream_ops),
    .handshake = tcp_handshake,
    .read = tcp_read,
    .write = tcp_write,
    .pending = tcp_pending,
    .close = tcp_close,
};

void r1_format_addr(const struct sockaddr *sa, char *buf, size_t cap)
{
    char host[INET6_ADDRSTRLEN] = "?";

    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, cap, "%s:%u", host, ntohs(in->sin_port));
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, cap, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(buf, cap, "(address family %d)", sa->sa_family);
    }
}

int r1_socket_tune(int fd)
{
    int one = 1;
    int flags = fcntl(fd, F_GETFL);

    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        return -1;
    if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    /* TPDUs are small and latency matters more than coalescing (RFC 1006
     * over loopback or LAN): no Nagle. */
    return setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}
