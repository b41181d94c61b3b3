/* Fuzz target: X.411 (P3) decoders (asn1/mts.h): bind, submission and probe
 * envelopes, delivery and report arguments, results; lazy lists iterated,
 * extension criticality checked, re-encoding checked. */
#include "config.h"

#include "asn1/mts.h"
#include "tests/fuzz/fuzz_common.h"

#define RECHECK(type, dec, enc, in, after)                                           \
    do {                                                                             \
        static type v1, v2;                                                          \
        struct ber_error e;                                                          \
        if (dec(in, &v1, &e) == 0) {                                                 \
            struct ber_writer w;                                                     \
            after(&v1);                                                              \
            ber_writer_init(&w);                                                     \
            if (enc(&w, &v1) == 0 && w.error == 0)                                   \
                FUZZ_CHECK(dec(ber_writer_slice(&w), &v2, &e) == 0);                 \
            ber_writer_free(&w);                                                     \
        }                                                                            \
    } while (0)
#define NOTHING(p) (void)(p)

static void walk_recipients(const struct mhs_seq *s)
{
    struct mhs_seq_iter i;
    static struct mts_submission_recipient r;

    mhs_seq_iter_init(&i, s, NULL);
    while (mts_submission_recipient_next(&i, &r) == 1)
        ;
}

static void after_submission(struct mts_submission_arg *a)
{
    struct mts_extension bad;

    walk_recipients(&a->envelope.recipients);
    (void)mts_extensions_check_critical(&a->envelope.extensions, MTS_CRIT_FOR_SUBMISSION, NULL, NULL,
                                        &bad, NULL);
}

static void after_probe(struct mts_submission_envelope *e) { walk_recipients(&e->recipients); }

static void after_delivery(struct mts_delivery_arg *a)
{
    struct mhs_seq_iter i;
    static struct or_address o;
    struct mts_extension x;

    mhs_seq_iter_init(&i, &a->other_recipients, NULL);
    while (mts_orname_next(&i, &o) == 1)
        ;
    (void)mts_extensions_check_critical(&a->extensions, MTS_CRIT_FOR_DELIVERY, NULL, NULL, &x, NULL);
}

static void after_report(struct mts_report_delivery_arg *a)
{
    struct mhs_seq_iter i;
    static struct mts_report_recipient r;

    mhs_seq_iter_init(&i, &a->recipients, NULL);
    while (mts_report_recipient_next(&i, &r) == 1)
        ;
}

static int probe_decode(struct ber_slice in, struct mts_submission_envelope *e, struct ber_error *err)
{
    return mts_probe_submission_arg_decode(in, e, err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ber_slice in = ber_slice_make(data, size);

    RECHECK(struct mts_bind_arg, mts_bind_arg_decode, mts_bind_arg_encode, in, NOTHING);
    RECHECK(struct mts_bind_result, mts_bind_result_decode, mts_bind_result_encode, in, NOTHING);
    RECHECK(struct mts_submission_arg, mts_submission_arg_decode, mts_submission_arg_encode, in, after_submission);
    RECHECK(struct mts_submission_envelope, probe_decode, mts_probe_submission_arg_encode, in, after_probe);
    RECHECK(struct mts_submission_result, mts_submission_result_decode, mts_submission_result_encode, in, NOTHING);
    RECHECK(struct mts_delivery_arg, mts_delivery_arg_decode, mts_delivery_arg_encode, in, after_delivery);
    RECHECK(struct mts_delivery_result, mts_delivery_result_decode, mts_delivery_result_encode, in, NOTHING);
    RECHECK(struct mts_report_delivery_arg, mts_report_delivery_arg_decode, mts_report_delivery_arg_encode, in, after_report);
    return 0;
}
