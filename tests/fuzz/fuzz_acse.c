/* Fuzz target: X.227 ACSE decoder (asn1/acse.h) and re-encoding. */
#include "config.h"

#include "asn1/acse.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct acse_apdu a, b;
    struct ber_error e;
    if (acse_decode(data, size, &a, &e) < 0)
        return 0;
    struct ber_writer w;
    ber_writer_init(&w);
    if (acse_encode(&w, &a) == 0 && w.error == 0)
        FUZZ_CHECK(acse_decode(ber_writer_data(&w), ber_writer_len(&w), &b, &e) == 0);
    ber_writer_free(&w);
    return 0;
}
