/* A blocking RFC 1006 test client (plain or TLS) for the transport tests and
 * bench/assoc. Everything it sends is written by hand or by asn1/tpkt.c;
 * everything it receives is checked against RFC 1006 / X.224 class 0. */
#ifndef TCLIENT_H
#define TCLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>
#include "asn1/tpkt.h"

struct tc {
    int fd;
    SSL *ssl;
    int local_port;
    uint8_t in[70000];
    size_t in_len;
    uint16_t src_ref;
    size_t tpdu_size; /* from the CC */
    char error[256];  /* TLS handshake failure text */
};

/* Connects to 127.0.0.1:port; with ctx, does the TLS handshake too. 0 or -1. */
int tc_open(struct tc *c, int port, SSL_CTX *ctx);
void tc_close(struct tc *c);
int tc_write(struct tc *c, const void *p, size_t n);
/* Reads one TPKT (whole, header included) into out; returns its length, 0 on
 * EOF, -1 on error or after timeout_ms. */
int tc_read_tpkt(struct tc *c, uint8_t *out, size_t cap, int timeout_ms);
/* True when the peer closes the connection within timeout_ms (no TPKT). */
bool tc_wait_eof(struct tc *c, int timeout_ms);
/* Sends a CR (called T-selector and the given size parameters, 0 = absent)
 * and reads the answer into *t (pointing into buf). Returns the TPDU code
 * (X224_CC, X224_DR ...) or -1. */
int tc_connect_request(struct tc *c, const char *calling, const char *called, size_t called_len,
                       unsigned tpdu_size, unsigned pref_size, struct x224_tpdu *t, uint8_t *buf,
                       size_t cap);
/* CR without parameters but called, then checks for CC. 0 or -1. */
int tc_establish(struct tc *c, const char *called);
/* Sends a TSDU as DTs with at most seg octets of data each, in one write. */
int tc_send_tsdu(struct tc *c, const void *p, size_t n, size_t seg);
/* Reads one TSDU; *ndt_r gets the number of DT TPDUs, *max_tpdu_r the
 * largest TPDU seen. Returns its length or -1. */
long tc_recv_tsdu(struct tc *c, uint8_t *out, size_t cap, int *ndt_r, size_t *max_tpdu_r,
                  int timeout_ms);

/* certs.c: a throwaway PKI in dir: ca.pem, server.pem/server.key (CN
 * localhost, SAN 127.0.0.1), client.pem/.key (by ca), wrongca.pem, and
 * wrong-client.pem/.key (by wrongca), expired.pem/.key (by ca, expired). */
int tc_make_pki(const char *dir);
/* A client SSL_CTX: verify the server against ca_file, present cert/key when
 * not NULL; max_version 0 or e.g. TLS1_2_VERSION. */
SSL_CTX *tc_ssl_ctx(const char *dir, const char *ca, const char *cert, const char *key,
                    int max_version);

#endif
