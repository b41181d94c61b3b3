/* bench/hostile: N half-open TCP connections (default 10,000) against the
 * real daemon (rfc1006 + echo test module): how long the daemon takes to
 * accept them, its RSS and fds per connection, whether a real association
 * still works (and how fast) while they are held, and how long
 * connect_timeout takes to close them all. A figure, never a test.
 *
 *   make bench && X400MS_TOP_BUILDDIR=$PWD bench/hostile/bench_half_open [N] [CONNECT_TIMEOUT_S]
 *
 * The daemon inherits this process's RLIMIT_NOFILE, raised here to N + 500
 * (the hard limit must allow it). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tests/integration/hostile/hostile.h"
#include "tests/lib/x4test.h"

static int connect_nb(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

/* One association with one echo; its duration in ms, or -1. */
static long long healthy_ms(void)
{
    static const uint8_t arg[] = { 0x04, 0x02, 'h', 'i' };
    long long t0 = x4t_now_ms();
    struct osic *c = hostile_open_assoc();
    if (c == NULL)
        return -1;
    int rc = osic_echo(c, 1, ber_slice_make(arg, sizeof(arg)));
    if (rc == 0)
        rc = osic_release(c);
    osic_free(c);
    return rc == 0 ? x4t_now_ms() - t0 : -1;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 10000;
    int timeout_s = argc > 2 ? atoi(argv[2]) : 10;
    if (n <= 0 || timeout_s <= 0) {
        fprintf(stderr, "usage: bench_half_open [N] [CONNECT_TIMEOUT_S]\n");
        return 2;
    }
    if (getenv("X400MS_TOP_BUILDDIR") == NULL)
        setenv("X400MS_TOP_BUILDDIR", ".", 0);
    if (getenv("X400MS_MODULE_PATH") == NULL) {
        char mp[4096];
        snprintf(mp, sizeof(mp), "%s/modules", getenv("X400MS_TOP_BUILDDIR"));
        setenv("X400MS_MODULE_PATH", mp, 0);
    }
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        rlim_t want = (rlim_t)n + 500;
        rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
        setrlimit(RLIMIT_NOFILE, &rl);
        if (rl.rlim_cur < want)
            fprintf(stderr, "warning: RLIMIT_NOFILE hard limit %lu < %lu\n",
                    (unsigned long)rl.rlim_max, (unsigned long)want);
    }
    if (hostile_start(600, timeout_s, n + 100) != 0) {
        fprintf(stderr, "daemon did not start\n");
        return 1;
    }
    printf("baseline: RSS %ld KiB, %d fds; healthy association %lld ms\n", H.rss_base_kb,
           H.fds_base, healthy_ms());

    int *fds = malloc((size_t)n * sizeof(int));
    long long t0 = x4t_now_ms();
    int opened = 0;
    for (int i = 0; i < n; i++) {
        fds[i] = connect_nb(H.port);
        if (fds[i] >= 0)
            opened++;
    }
    int nfd = 0;
    for (int i = 0; i < 1000; i++) {
        nfd = x4t_daemon_fd_count(H.d);
        if (nfd >= H.fds_base + opened)
            break;
        usleep(10000);
    }
    long long accept_ms = x4t_now_ms() - t0;
    long rss = hostile_rss_kb();
    printf("%d half-open connections (%d opened): accepted in %lld ms; daemon %d fds, RSS %ld KiB "
           "(+%ld KiB, %.2f KiB per connection)\n", n, opened, accept_ms, nfd, rss,
           rss - H.rss_base_kb, (double)(rss - H.rss_base_kb) / (opened ? opened : 1));
    long long h[5];
    for (int i = 0; i < 5; i++)
        h[i] = healthy_ms();
    printf("healthy associations while held (ms): %lld %lld %lld %lld %lld\n", h[0], h[1], h[2],
           h[3], h[4]);

    long long deadline = t0 + (long long)(timeout_s + 30) * 1000;
    int closed = 0;
    for (int i = 0; i < n; i++) {
        if (fds[i] < 0)
            continue;
        for (;;) {
            long long left = deadline - x4t_now_ms();
            struct pollfd pfd = { .fd = fds[i], .events = POLLIN };
            if (left <= 0 || poll(&pfd, 1, (int)left) != 1)
                break;
            char b[64];
            ssize_t k = recv(fds[i], b, sizeof(b), 0);
            if (k == 0 || (k < 0 && errno != EAGAIN && errno != EINTR)) {
                closed++;
                break;
            }
        }
    }
    long long close_ms = x4t_now_ms() - t0;
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(fds);
    for (int i = 0; i < 200 && x4t_daemon_fd_count(H.d) > H.fds_base; i++)
        usleep(20000);
    printf("connect_timeout %d s closed %d of %d within %lld ms of the first connect; "
           "daemon back to %d fds, RSS %ld KiB\n", timeout_s, closed, opened, close_ms,
           x4t_daemon_fd_count(H.d), hostile_rss_kb());
    return hostile_stop() == 0 && closed == opened ? 0 : 1;
}
