/* Fuzz target: X.226 presentation PPDU decoders (asn1/pres.h) and re-encoding. */
#include "config.h"

#include "asn1/pres.h"
#include "tests/fuzz/fuzz_common.h"

typedef int (*decode_fn)(const uint8_t *, size_t, struct pres_connect *, struct ber_error *);
typedef int (*encode_fn)(struct ber_writer *, const struct pres_connect *);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pres_connect p, q;
    static struct pres_abort ab, ab2;
    static struct pres_user_data ud, ud2;
    const decode_fn dec[] = { pres_decode_cp, pres_decode_cpa, pres_decode_cpr };
    const encode_fn enc[] = { pres_encode_cp, pres_encode_cpa, pres_encode_cpr };
    struct ber_error e;
    struct ber_writer w;

    ber_writer_init(&w);
    for (int k = 0; k < 3; k++) {
        if (dec[k](data, size, &p, &e) < 0)
            continue;
        ber_writer_reset(&w);
        if (enc[k](&w, &p) == 0 && w.error == 0)
            FUZZ_CHECK(dec[k](ber_writer_data(&w), ber_writer_len(&w), &q, &e) == 0);
    }
    if (pres_decode_abort(data, size, &ab, &e) == 0) {
        ber_writer_reset(&w);
        if (pres_encode_abort(&w, &ab) == 0 && w.error == 0)
            FUZZ_CHECK(pres_decode_abort(ber_writer_data(&w), ber_writer_len(&w), &ab2, &e) == 0);
    }
    if (pres_decode_user_data(data, size, &ud, &e) == 0) {
        ber_writer_reset(&w);
        if (pres_encode_user_data(&w, &ud) == 0 && w.error == 0)
            FUZZ_CHECK(pres_decode_user_data(ber_writer_data(&w), ber_writer_len(&w), &ud2, &e) == 0);
    }
    ber_writer_free(&w);
    return 0;
}
