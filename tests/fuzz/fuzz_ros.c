/* Fuzz target: ROSE decoder (asn1/ros.h) and re-encoding. */
#include "config.h"

#include "asn1/ros.h"
#include "tests/fuzz/fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ros_pdu p, q;
    struct ber_error e;
    if (ros_decode(data, size, &p, &e) < 0)
        return 0;
    struct ber_writer w;
    ber_writer_init(&w);
    if (ros_encode(&w, &p) == 0 && w.error == 0)
        FUZZ_CHECK(ros_decode(ber_writer_data(&w), ber_writer_len(&w), &q, &e) == 0);
    ber_writer_free(&w);
    return 0;
}
