/* bench/asn1_bench: decode and encode speed of the MHS codecs, and the heap
 * allocations made while decoding (must be zero: DESIGN.md section 6).
 *
 *   bench/asn1_bench [seconds-per-case]      (default 1)
 *
 * Cases: an MSBindArgument, a ListResult of 1,000 entries (each with four
 * attributes, decoded down to every attribute value) and a 64 KiB
 * MessageDeliveryArgument. Prints ns per PDU, MB/s (10^6 octets of PDU per
 * second) and the number of malloc/calloc/realloc calls seen during the
 * decode loop. Allocations are counted by interposing malloc & co. in this
 * executable: the ELF dynamic linker then routes the codec library's calls
 * through them too (glibc's __libc_* functions do the real work). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "asn1/ms.h"
#include "asn1/mts.h"

/* ---- allocation counter ---------------------------------------------------- */

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void __libc_free(void *);

static volatile unsigned long alloc_count;

void *malloc(size_t n);
void *calloc(size_t n, size_t m);
void *realloc(void *p, size_t n);
void free(void *p);

void *malloc(size_t n)
{
    alloc_count++;
    return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
    alloc_count++;
    return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
    alloc_count++;
    return __libc_realloc(p, n);
}

void free(void *p)
{
    __libc_free(p);
}

/* ---- timing ------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double seconds_per_case = 1.0;

typedef int (*work_fn)(const void *arg);

/* Runs fn until the time budget is spent; returns ns per call. */
static double measure(work_fn fn, const void *arg, unsigned long *allocs, unsigned long *iters_r)
{
    unsigned long iters = 0, batch = 1;
    unsigned long a0;
    double t0, t;

    for (int i = 0; i < 3; i++) /* warm up */
        if (fn(arg) != 0) {
            fprintf(stderr, "bench: work failed\n");
            exit(1);
        }
    a0 = alloc_count;
    t0 = now();
    do {
        for (unsigned long i = 0; i < batch; i++)
            if (fn(arg) != 0) {
                fprintf(stderr, "bench: work failed\n");
                exit(1);
            }
        iters += batch;
        if (batch < (1ul << 20))
            batch *= 2;
        t = now() - t0;
    } while (t < seconds_per_case);
    if (allocs)
        *allocs = alloc_count - a0;
    *iters_r = iters;
    return t * 1e9 / (double)iters;
}

static void report(const char *name, const char *op, double ns, size_t pdu_len, unsigned long allocs,
                   unsigned long iters, bool count_allocs)
{
    printf("%-30s %-6s %10.0f ns/PDU %9.1f MB/s  %7zu octets", name, op, ns,
           (double)pdu_len / ns * 1e3, pdu_len);
    if (count_allocs)
        printf("  allocations: %lu in %lu decodes", allocs, iters);
    printf("\n");
}

/* ---- the cases --------------------------------------------------------------------- */

static struct ber_slice pdu;              /* encoded value being decoded */
static struct ber_writer enc_w;           /* reused by the encode loops */

static struct or_address mkaddr(const char *text)
{
    struct or_address a;

    if (or_address_parse(text, strlen(text), &a, NULL) < 0)
        abort();
    return a;
}

/* MSBindArgument */
static struct ms_bind_arg bind_arg;

static int bind_decode(const void *arg)
{
    struct ms_bind_arg a;

    (void)arg;
    return ms_bind_arg_decode(pdu, &a, NULL);
}

static int bind_encode(const void *arg)
{
    (void)arg;
    ber_writer_reset(&enc_w);
    return ms_bind_arg_encode(&enc_w, &bind_arg);
}

/* ListResult of 1,000 entries */
#define N_ENTRIES 1000
static struct ms_entry_info entries[N_ENTRIES];
static struct ms_attribute attrs[4];
static struct ber_slice vals[4];
static struct ms_list_result list_result;
static uint8_t subject_tlv[40], status_tlv[3], time_tlv[15];
static uint8_t orname_tlv[128];
static const uint8_t oid_status[] = { 0x56, 0x04, 0x03, 0x0f };  /* retrieval-status */
static const uint8_t oid_subject[] = { 0x56, 0x01, 0x07, 0x04 }; /* IPM subject */
static const uint8_t oid_orig[] = { 0x56, 0x04, 0x03, 0x1b };    /* originator-name */
static const uint8_t oid_dtime[] = { 0x56, 0x04, 0x03, 0x14 };   /* message-delivery-time */

static void build_list_result(void)
{
    struct or_address o = mkaddr("/C=XX/A= /P=TEST/O=Example Org/OU1=Sales/S=Originator/G=John/");
    struct ber_writer w;

    status_tlv[0] = 0x02, status_tlv[1] = 0x01, status_tlv[2] = 0x01;
    subject_tlv[0] = 0x14;
    subject_tlv[1] = 38;
    memcpy(subject_tlv + 2, "Quarterly figures, please review today", 38);
    memcpy(time_tlv, "\x17\x0d" "261122073241Z", 15);
    ber_writer_init_fixed(&w, orname_tlv, sizeof(orname_tlv));
    if (or_name_encode(&w, BER_APP(0), &o) < 0)
        abort();
    memmove(orname_tlv, ber_writer_data(&w), ber_writer_len(&w));
    vals[0] = ber_slice_make(status_tlv, sizeof(status_tlv));
    vals[1] = ber_slice_make(subject_tlv, sizeof(subject_tlv));
    vals[2] = ber_slice_make(orname_tlv, ber_writer_len(&w));
    vals[3] = ber_slice_make(time_tlv, sizeof(time_tlv));
    attrs[0].type = ber_slice_make(oid_status, 4);
    attrs[1].type = ber_slice_make(oid_subject, 4);
    attrs[2].type = ber_slice_make(oid_orig, 4);
    attrs[3].type = ber_slice_make(oid_dtime, 4);
    for (int i = 0; i < 4; i++) {
        attrs[i].value_array = &vals[i];
        attrs[i].n_value_array = 1;
    }
    for (int i = 0; i < N_ENTRIES; i++) {
        entries[i].sequence_number = 100000 + i;
        entries[i].has_attributes = true;
        entries[i].attribute_array = attrs;
        entries[i].n_attribute_array = 4;
    }
    list_result.has_next = true;
    list_result.next = 100000 + N_ENTRIES;
    list_result.requested_array = entries;
    list_result.n_requested_array = N_ENTRIES;
}

/* Full decode: the result, then every entry, attribute and value. */
static int list_decode(const void *arg)
{
    struct ms_list_result r;
    struct ms_entry_info e;
    struct ms_attribute a;
    struct mhs_seq_iter it, ai, vi;
    struct ber_tlv v;
    int rc, n = 0;

    (void)arg;
    if ((rc = ms_list_result_decode(pdu, &r, NULL)) < 0)
        return rc;
    mhs_seq_iter_init(&it, &r.requested, NULL);
    while ((rc = ms_entry_info_next(&it, &e)) == 1) {
        mhs_seq_iter_init(&ai, &e.attributes, NULL);
        while ((rc = ms_attribute_next(&ai, &a)) == 1) {
            mhs_seq_iter_init(&vi, &a.values, NULL);
            while ((rc = mhs_seq_iter_next(&vi, &v)) == 1)
                ;
            if (rc < 0)
                return rc;
        }
        if (rc < 0)
            return rc;
        n++;
    }
    return rc < 0 ? rc : (n == N_ENTRIES ? 0 : -1);
}

static int list_encode(const void *arg)
{
    (void)arg;
    ber_writer_reset(&enc_w);
    return ms_list_result_encode(&enc_w, &list_result);
}

/* 64 KiB MessageDeliveryArgument */
static struct mts_delivery_arg delivery;
static uint8_t content[64 * 1024];
static const uint8_t ext_hex[] = { 0x30, 0x0c, 0x80, 0x01, 0x01, 0x81, 0x02, 0x05, 0x20,
                                   0xa2, 0x03, 0x0a, 0x01, 0x01 };

static void build_delivery(void)
{
    for (size_t i = 0; i < sizeof(content); i++)
        content[i] = (uint8_t)(' ' + i % 90);
    memset(&delivery, 0, sizeof(delivery));
    delivery.delivery_identifier.gdi.country = mhs_str_make("XX", 2, BER_PRINTABLE_STRING);
    delivery.delivery_identifier.gdi.admd = mhs_str_make(" ", 1, BER_PRINTABLE_STRING);
    delivery.delivery_identifier.gdi.prmd = mhs_str_make("TEST", 4, BER_PRINTABLE_STRING);
    delivery.delivery_identifier.local = mhs_str_make("2611220732410001", 16, BER_IA5_STRING);
    delivery.delivery_time = mhs_time_make(1795332761);
    delivery.content_type.present = delivery.content_type.builtin = true;
    delivery.content_type.builtin_value = MTS_CONTENT_P22_1988;
    delivery.originator_name = mkaddr("/C=XX/A= /P=TEST/O=Example Org/S=Originator/G=John/");
    delivery.this_recipient_name = mkaddr("/C=XX/A= /P=TEST/O=Example Org/S=Recipient/");
    delivery.submission_time = mhs_time_make(1795332700);
    delivery.content_identifier = mhs_str_make("cid-000001", 10, BER_PRINTABLE_STRING);
    delivery.extensions = mhs_seq_raw(ber_slice_make(ext_hex, sizeof(ext_hex)), 1);
    delivery.content.bytes = ber_slice_make(content, sizeof(content));
}

static int delivery_decode(const void *arg)
{
    struct mts_delivery_arg a;

    (void)arg;
    return mts_delivery_arg_decode(pdu, &a, NULL);
}

static int delivery_encode(const void *arg)
{
    (void)arg;
    ber_writer_reset(&enc_w);
    return mts_delivery_arg_encode(&enc_w, &delivery);
}

static void run_case(const char *name, work_fn enc, work_fn dec)
{
    struct ber_writer w;
    unsigned long allocs, iters;
    double ns;
    uint8_t *copy;

    ber_writer_init(&w);
    if (enc(NULL) != 0)
        abort();
    /* the PDU to decode: a private copy of the encoder's output */
    copy = __libc_malloc(ber_writer_len(&enc_w));
    memcpy(copy, ber_writer_data(&enc_w), ber_writer_len(&enc_w));
    pdu = ber_slice_make(copy, ber_writer_len(&enc_w));
    ns = measure(dec, NULL, &allocs, &iters);
    report(name, "decode", ns, pdu.len, allocs, iters, true);
    ns = measure(enc, NULL, NULL, &iters);
    report(name, "encode", ns, pdu.len, 0, iters, false);
    __libc_free(copy);
    ber_writer_free(&w);
}

int main(int argc, char **argv)
{
    unsigned long before = alloc_count;

    free(malloc(16)); /* the counter must see this one, or it counts nothing */
    if (alloc_count == before) {
        fprintf(stderr, "bench: allocation counter not active\n");
        return 1;
    }
    if (argc > 1)
        seconds_per_case = atof(argv[1]);
    if (seconds_per_case <= 0)
        seconds_per_case = 1.0;
    ber_writer_init(&enc_w);

    memset(&bind_arg, 0, sizeof(bind_arg));
    bind_arg.initiator_name = mkaddr("/C=XX/A= /P=TEST/O=Example Org/OU1=Sales/S=Alice/G=Ann/");
    bind_arg.credentials.password = ber_slice_make("correct horse battery", 21);
    build_list_result();
    build_delivery();

    run_case("MSBindArgument", bind_encode, bind_decode);
    run_case("ListResult (1000 entries)", list_encode, list_decode);
    run_case("MessageDeliveryArgument 64K", delivery_encode, delivery_decode);
    ber_writer_free(&enc_w);
    return 0;
}
