/* Fuzz target: X.413 MS-bind argument/result/error (asn1/ms.h), the X.411
 * ORName inside them and the O/R address text parser (asn1/orname.h).
 * A value that decodes must re-encode and decode again. */
#include "config.h"

#include <string.h>

#include "asn1/ms.h"
#include "asn1/orname.h"
#include "tests/fuzz/fuzz_common.h"

#define RECHECK(type, dec, enc, in)                                                  \
    do {                                                                             \
        static type v1, v2;                                                          \
        struct ber_error e;                                                          \
        if (dec(in, &v1, &e) == 0) {                                                 \
            struct ber_writer w;                                                     \
            ber_writer_init(&w);                                                     \
            if (enc(&w, &v1) == 0 && w.error == 0)                                   \
                FUZZ_CHECK(dec(ber_writer_slice(&w), &v2, &e) == 0);                 \
            ber_writer_free(&w);                                                     \
        }                                                                            \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ber_slice in = ber_slice_make(data, size);
    struct or_address a;
    char text[512];

    RECHECK(struct ms_bind_arg, ms_bind_arg_decode, ms_bind_arg_encode, in);
    RECHECK(struct ms_bind_result, ms_bind_result_decode, ms_bind_result_encode, in);
    RECHECK(struct ms_bind_error, ms_bind_error_decode, ms_bind_error_encode, in);
    if (or_name_decode(in, &a, NULL) == 0) {
        struct ber_writer w;
        struct or_address b;

        ber_writer_init(&w);
        if (or_name_encode(&w, BER_APP(0), &a) == 0)
            FUZZ_CHECK(or_name_decode(ber_writer_slice(&w), &b, NULL) == 0);
        ber_writer_free(&w);
        FUZZ_CHECK(or_address_format(&a, OR_TEXT_SLASH, text, sizeof(text)) != X400MS_EPROTO);
    }
    /* the text form parser on the same bytes */
    if (or_address_parse((const char *)data, size, &a, NULL) == 0) {
        struct or_address b;
        int n = or_address_format(&a, OR_TEXT_RFC1685, text, sizeof(text));

        if (n > 0) {
            FUZZ_CHECK(or_address_parse(text, (size_t)n, &b, NULL) == 0);
            FUZZ_CHECK(or_address_match(&a, &b));
        }
    }
    return 0;
}
