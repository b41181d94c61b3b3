/* Helpers of the hostile-input suite (tests/integration/hostile).
 *
 * Every case attacks the real daemon from a real socket, then checks the
 * four things DESIGN.md section 10 promises: the standard's answer or a
 * close, a log line that names the peer and the cause, bounded memory (the
 * daemon's RSS from /proc), and that the server still serves a healthy
 * association afterwards. */
#ifndef X400MS_TEST_HOSTILE_H
#define X400MS_TEST_HOSTILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "asn1/ber.h"
#include "tests/integration/osi/osic.h"

/* The daemon under attack: rfc1006 with small timeouts and the tests-only
 * "echo" protocol module (tests/integration/osi/echo.c). */
struct hostile {
    struct x4t_daemon *d;
    int port;
    long rss_base_kb;     /* after warm-up */
    long rss_peak_kb;     /* largest seen by hostile_check_rss */
    int fds_base;
    int idle_timeout_s;
    int connect_timeout_s;
};

extern struct hostile H;

/* Starts the daemon (idle_timeout and connect_timeout in seconds,
 * max_connections), warms it up with a few healthy associations and records
 * the RSS and fd baselines. 0 or -1. */
int hostile_start(int idle_timeout_s, int connect_timeout_s, int max_connections);
/* Stops it (SIGTERM) and prints the RSS figures; 0 when it exited 0. */
int hostile_stop(void);

/* The daemon's resident set in KiB (/proc/PID/status VmRSS), -1 on error. */
long hostile_rss_kb(void);
/* Fails the test when the RSS grew more than limit_kb over the baseline. */
void hostile_check_rss(const char *after, long limit_kb);
/* "127.0.0.1:PORT" of a client socket's local end: how the daemon names it. */
void hostile_peer_name(int fd, char *buf, size_t size);
/* Waits up to timeout_ms for one log line holding both `peer` and `cause`;
 * fails the test (printing the log) when none comes. */
void hostile_expect_log(const char *peer, const char *cause, int timeout_ms);
/* A full association on the echo context: CR, CN/AC, one echo, FN/DN. */
void hostile_expect_healthy(void);
/* The checks after an attack: the log line, bounded RSS, a healthy association. */
void hostile_after(const char *peer, const char *cause);

/* Raw transport helpers (no TLS). Reads one whole TPKT into buf and returns
 * its length, 0 on EOF, -1 on timeout or a malformed header. */
int hostile_read_tpkt(int fd, uint8_t *buf, size_t cap, int timeout_ms);
/* True when the peer closed within timeout_ms; every TPKT before the close
 * is skipped, and *saw_code (when not NULL) gets the X.224 code of the first
 * one (0 when none came). */
bool hostile_wait_close(int fd, int timeout_ms, uint8_t *saw_code);
/* Opens a connection with CR/CC done, NULL on failure. */
struct osic *hostile_open_cc(void);
/* Opens a connection and associates on the echo context (AC received). */
struct osic *hostile_open_assoc(void);
/* Wraps a ROSE PDU into GT+DT+P-DATA on context 3 and sends it. */
int hostile_send_rose(struct osic *c, struct ber_slice rose);
/* Receives the next TSDU and returns its SI (1 DT, 12 RF, 14 AC, 25 AB ...),
 * 0 on a close by the server, -1 on timeout or garbage. */
int hostile_recv_si(struct osic *c, int timeout_ms);

/* Nested indefinite-length constructed [0] tags: depth x (A0 80), then
 * depth x (00 00). Caller frees; *len_r gets the length. */
uint8_t *hostile_depth_bomb(size_t depth, size_t *len_r);

#endif
