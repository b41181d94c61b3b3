/* Fuzz target: every X.413 (P7) operation argument, result and error
 * parameter decoder (asn1/ms.h), with lazy lists iterated to the end and
 * re-encoding checked. */
#include "config.h"

#include <string.h>

#include "asn1/ms.h"
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

static void walk_entries(const struct mhs_seq *s)
{
    struct mhs_seq_iter i, ai, vi;
    struct ms_entry_info e;
    struct ms_attribute a;
    struct ber_tlv t;

    mhs_seq_iter_init(&i, s, NULL);
    while (ms_entry_info_next(&i, &e) == 1) {
        mhs_seq_iter_init(&ai, &e.attributes, NULL);
        while (ms_attribute_next(&ai, &a) == 1) {
            mhs_seq_iter_init(&vi, &a.values, NULL);
            while (mhs_seq_iter_next(&vi, &t) == 1)
                ;
        }
    }
}

static void walk_filter(struct ber_slice f, unsigned depth)
{
    struct ms_filter flt;
    struct mhs_seq_iter i;
    struct ber_tlv t;

    if (!f.len || depth > 40 || ms_filter_decode(f, &flt, NULL) < 0)
        return;
    if (flt.kind == MS_FILTER_NOT)
        walk_filter(flt.sub, depth + 1);
    mhs_seq_iter_init(&i, &flt.subfilters, NULL);
    while (mhs_seq_iter_next(&i, &t) == 1)
        walk_filter(ber_tlv_whole(&t), depth + 1);
}

static void after_list_result(struct ms_list_result *r) { walk_entries(&r->requested); }
static void after_list_arg(struct ms_list_arg *a) { walk_filter(a->selector.filter, 0); }
static void after_fetch_arg(struct ms_fetch_arg *a) { walk_filter(a->search.filter, 0); }
static void after_modify_arg(struct ms_modify_arg *a)
{
    struct mhs_seq_iter i;
    struct ms_modification m;

    mhs_seq_iter_init(&i, &a->modifications, NULL);
    while (ms_modification_next(&i, &m) == 1)
        ;
}
static void after_register_arg(struct ms_register_arg *a)
{
    struct mhs_seq_iter i;
    struct ms_auto_action_registration r;

    mhs_seq_iter_init(&i, &a->registrations, NULL);
    while (ms_auto_action_registration_next(&i, &r) == 1)
        ;
}
#define NOTHING(p) (void)(p)

static void problems(struct ber_slice in)
{
    static const int codes[] = { MS_ERR_ATTRIBUTE, MS_ERR_AUTO_ACTION_REQUEST, MS_ERR_DELETE,
                                 MS_ERR_FETCH_RESTRICTION, MS_ERR_SEQUENCE_NUMBER };
    static const int simple[] = { MS_ERR_RANGE, MS_ERR_SERVICE, MS_ERR_ENTRY_CLASS, MS_ERR_MODIFY,
                                  MS_ERR_MESSAGE_GROUP, MS_ERR_REGISTER_MS, MS_ERR_MS_EXTENSION,
                                  MS_ERR_INVALID_PARAMETERS };
    struct ms_problem arr[8], arr2[8];

    for (size_t k = 0; k < sizeof(codes) / sizeof(codes[0]); k++) {
        struct ms_problem_error e = { codes[k], arr, 0, 8, { 0 } }, e2 = { codes[k], arr2, 0, 8, { 0 } };

        if (ms_problem_error_decode(in, &e, NULL) == 0) {
            struct ber_writer w;

            ber_writer_init(&w);
            if (ms_problem_error_encode(&w, &e) == 0)
                FUZZ_CHECK(ms_problem_error_decode(ber_writer_slice(&w), &e2, NULL) == 0);
            ber_writer_free(&w);
        }
    }
    for (size_t k = 0; k < sizeof(simple) / sizeof(simple[0]); k++) {
        struct ms_simple_error e, e2;

        memset(&e, 0, sizeof(e));
        e.code = simple[k];
        if (ms_simple_error_decode(in, &e, NULL) == 0) {
            struct ber_writer w;

            ber_writer_init(&w);
            memset(&e2, 0, sizeof(e2));
            e2.code = simple[k];
            if (ms_simple_error_encode(&w, &e) == 0 && w.error == 0)
                FUZZ_CHECK(ms_simple_error_decode(ber_writer_slice(&w), &e2, NULL) == 0);
            ber_writer_free(&w);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ber_slice in = ber_slice_make(data, size);

    RECHECK(struct ms_summarize_arg, ms_summarize_arg_decode, ms_summarize_arg_encode, in, NOTHING);
    RECHECK(struct ms_summarize_result, ms_summarize_result_decode, ms_summarize_result_encode, in, NOTHING);
    RECHECK(struct ms_list_arg, ms_list_arg_decode, ms_list_arg_encode, in, after_list_arg);
    RECHECK(struct ms_list_result, ms_list_result_decode, ms_list_result_encode, in, after_list_result);
    RECHECK(struct ms_fetch_arg, ms_fetch_arg_decode, ms_fetch_arg_encode, in, after_fetch_arg);
    RECHECK(struct ms_fetch_result, ms_fetch_result_decode, ms_fetch_result_encode, in, NOTHING);
    RECHECK(struct ms_delete_arg, ms_delete_arg_decode, ms_delete_arg_encode, in, NOTHING);
    RECHECK(struct ms_delete_result, ms_delete_result_decode, ms_delete_result_encode, in, NOTHING);
    RECHECK(struct ms_register_arg, ms_register_arg_decode, ms_register_arg_encode, in, after_register_arg);
    RECHECK(struct ms_register_result, ms_register_result_decode, ms_register_result_encode, in, NOTHING);
    RECHECK(struct ms_alert_arg, ms_alert_arg_decode, ms_alert_arg_encode, in, NOTHING);
    RECHECK(struct ms_modify_arg, ms_modify_arg_decode, ms_modify_arg_encode, in, after_modify_arg);
    RECHECK(struct ms_modify_result, ms_modify_result_decode, ms_modify_result_encode, in, NOTHING);
    RECHECK(struct ms_submission_arg, ms_submission_arg_decode, ms_submission_arg_encode, in, NOTHING);
    RECHECK(struct ms_submission_result, ms_submission_result_decode, ms_submission_result_encode, in, NOTHING);
    problems(in);
    return 0;
}
