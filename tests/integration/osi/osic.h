/* osic: a small blocking OSI client for the integration tests and the
 * benchmark. It builds its PDUs itself with the BER writer (asn1/ber.h) and
 * hand-coded X.225 SPDU headers, independently of core/osi's codecs, so a
 * test is a cross-check of the server, not the server talking to itself.
 *
 * Every octet sent and received is kept (when capture is on) so a test can
 * write the exchange into a pcap and have tshark dissect it. */
#ifndef X400MS_TEST_OSIC_H
#define X400MS_TEST_OSIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "asn1/ber.h"

struct osic_chunk {
    bool from_client;
    uint8_t *data;
    size_t len;
};

struct osic {
    int fd;
    void *ssl;                 /* SSL * when over TLS */
    uint8_t *in;               /* bytes received, not yet consumed */
    size_t in_len, in_cap;
    uint8_t *tsdu;             /* last reassembled TSDU */
    size_t tsdu_len, tsdu_cap;
    size_t seg;                /* DT data octets per TPKT when sending */
    bool capture;
    struct osic_chunk *chunks;
    size_t n_chunks, cap_chunks;
    int timeout_ms;
};

/* TCP connect to 127.0.0.1:port (and a TLS handshake trusting ca_file when
 * ca_file is not NULL). NULL on failure. */
struct osic *osic_open(int port, const char *ca_file, bool capture);
void osic_free(struct osic *c);
/* CR (with called T-selector when tsel is not NULL), wait for the CC. 0/-1. */
int osic_cr(struct osic *c, const char *called_tsel);
/* Raw octets on the stream. 0/-1. */
int osic_send_raw(struct osic *c, const void *p, size_t n);
/* One TSDU in DT TPDUs of c->seg data octets each (0: one TPDU). */
int osic_send_tsdu(struct osic *c, const void *p, size_t n);
/* Next TSDU (reassembled up to EOT) into c->tsdu. 0, or -1 on EOF, timeout,
 * a DR/ER or garbage. */
int osic_recv_tsdu(struct osic *c);
/* True when the server closed the connection within timeout_ms. */
bool osic_wait_closed(struct osic *c, int timeout_ms);

/* ---- PDU builders (push onto a backwards writer) ---- */

struct osic_pctx {
    int id;
    const char *abstract_syntax;  /* dotted text */
};

/* Session parameter header (code + 1- or 3-octet length) for len octets. */
void osic_ses_param(struct ber_writer *w, uint8_t code, size_t len);
/* Wraps everything pushed since mark as fully-encoded-data with one PDV-list
 * of context pctx, single-ASN1-type. */
void osic_wrap_pdv(struct ber_writer *w, ber_mark_t mark, int pctx);
/* An AARQ for context_oid with bind-invoke [16] holding bind_arg (when
 * bind_arg.ptr) in an EXTERNAL of indirect reference bind_pctx. */
void osic_push_aarq(struct ber_writer *w, const char *context_oid, struct ber_slice bind_arg,
                    int bind_pctx);
/* The whole CN TSDU: CN { CP { contexts, AARQ on pctx acse_pctx } }. */
void osic_build_cn(struct ber_writer *w, const struct osic_pctx *ctxs, size_t n, int acse_pctx,
                   const char *context_oid, struct ber_slice bind_arg, int bind_pctx);
/* GT + DT + P-DATA(pctx, value) TSDU. */
void osic_build_data(struct ber_writer *w, int pctx, struct ber_slice value);
/* ROSE invoke {id, opcode, argument}. */
void osic_push_invoke(struct ber_writer *w, int64_t id, int64_t opcode, struct ber_slice arg);
/* FN with RLRQ (reason normal) on pctx. */
void osic_build_fn(struct ber_writer *w, int acse_pctx);
/* AB with ARU(ABRT source user) on pctx. */
void osic_build_abort(struct ber_writer *w, int acse_pctx);

/* ---- parsing what came back ---- */

/* One SPDU inside a TSDU. */
struct osic_spdu {
    uint8_t si;
    struct ber_slice params;      /* the parameter field */
    struct ber_slice user_info;   /* octets after the parameter field (DT) */
};
/* Splits c->tsdu-like bytes into SPDUs; returns their count (<= max) or -1. */
int osic_spdus(const uint8_t *p, size_t n, struct osic_spdu *out, int max);
/* The value of PI/PGI `code` in a parameter field (searching inside PGI 5
 * and 1 too); 1 found, 0 not. */
int osic_ses_find(struct ber_slice params, uint8_t code, struct ber_slice *v);
/* The session user data of the SPDU: PGI 193/194, or the RF reason code's
 * tail, or DT user information. */
struct ber_slice osic_user_data(const struct osic_spdu *s);

/* Descends from the TLV at the start of `in` through the members with the
 * given tags (the first member with that tag at each level); 0 ends the
 * path. 1 and *out set, 0 when a step is missing, -1 on bad BER. */
int osic_path(struct ber_slice in, struct ber_tlv *out, ...);
/* INTEGER at the path; returns the value, or -99999 when missing. */
int64_t osic_path_int(struct ber_slice in, ...);
/* First PDV-list of a fully-encoded-data value: its context id and the
 * single-ASN1-type value. 0 or -1. */
int osic_pdv(struct ber_slice fed, int *pctx_r, struct ber_slice *value_r);

/* Writes the captured exchange as a pcap between client_port and
 * server_port on 127.0.0.1 (tests/lib/x4pcap.h) and runs tshark on it. 0 ok
 * (or tshark absent), -1 with a message on stderr. */
int osic_capture_check(struct osic *c, const char *path, int server_port);
/* The two halves: write the pcap; run tshark on a pcap (0 when clean or
 * when $TSHARK is empty). */
int osic_capture_write(struct osic *c, const char *path, int server_port);
int osic_tshark_check(const char *path, int server_port);

#endif

/* ---- whole exchanges (blocking) ---- */

/* CR + CN { CP { ctxs, AARQ(context_oid, bind-invoke bind_arg on pctx 3) } }
 * and the answer: returns its SI (14 AC, 12 RF ...) with the TSDU in
 * c->tsdu, or -1. ctxs NULL: ACSE as 1 and 2.999.1.2 as 3. */
int osic_associate(struct osic *c, const char *context_oid, const struct osic_pctx *ctxs, size_t n,
                   struct ber_slice bind_arg);
/* The AARE inside the AC/RF now in c->tsdu: result and diagnostic
 * (-1 when absent). 0, or -1 when there is no AARE. */
int osic_aare(struct osic *c, int64_t *result, int64_t *diag_source, int64_t *diag);
/* Sends invoke {id, opcode, arg} on pctx 3. */
int osic_send_invoke(struct osic *c, int64_t id, int64_t opcode, struct ber_slice arg);
/* Receives one DT and returns its ROSE PDU (pointing into c->tsdu). */
int osic_recv_rose(struct osic *c, struct ber_slice *rose);
/* invoke op 1 with arg and checks the returnResult carries arg back. */
int osic_echo(struct osic *c, int64_t id, struct ber_slice arg);
/* FN(RLRQ) -> DN(RLRE), then waits for the server to close. */
int osic_release(struct osic *c);
