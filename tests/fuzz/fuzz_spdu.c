/* Fuzz target: X.225 SPDU decoder (asn1/spdu.h) and its re-encoding. */
#include "config.h"

#include "asn1/pres.h"
#include "asn1/spdu.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct spdu s[8], again[8];
    struct ber_error e;
    size_t n, m;
    for (unsigned flags = 0; flags <= SPDU_F_ACTIVITY; flags++) {
        if (spdu_decode_tsdu(data, size, flags, s, 8, &n, &e) < 0)
            continue;
        struct ber_writer w;
        ber_writer_init(&w);
        for (size_t i = n; i-- > 0;)
            spdu_encode(&w, &s[i]);
        if (w.error == 0)
            FUZZ_CHECK(spdu_decode_tsdu(ber_writer_data(&w), ber_writer_len(&w), flags, again, 8, &m, &e) == 0);
        ber_writer_free(&w);
        for (size_t i = 0; i < n; i++) {
            static struct pres_user_data ud;
            if (s[i].user_data.len)
                (void)pres_decode_user_data(s[i].user_data.ptr, s[i].user_data.len, &ud, &e);
        }
    }
    return 0;
}
