/* Fuzz target: X.420 information objects (asn1/ipms.h): IPM heading,
 * recipient lists, heading extensions, body parts (forwarded messages
 * decoded recursively), IPNs; re-encoding checked. */
#include "config.h"

#include "asn1/ipms.h"
#include "tests/fuzz/fuzz_common.h"

static void walk_ipm(const struct ipm *m, unsigned depth)
{
    struct mhs_seq_iter i;
    static struct ipm_recipient r;
    struct ipms_extension x;
    static struct ipm_body_part b;
    static struct ipm inner[4];

    mhs_seq_iter_init(&i, &m->heading.primary.raw, NULL);
    while (ipm_recipient_next(&i, &r) == 1)
        ;
    mhs_seq_iter_init(&i, &m->heading.extensions, NULL);
    while (ipms_extension_next(&i, &x) == 1)
        ;
    mhs_seq_iter_init(&i, &m->body, NULL);
    while (ipm_body_part_next(&i, &b) == 1)
        if (b.kind == IPM_BP_MESSAGE && depth < 4 && ipms_ipm_decode(b.ipm, &inner[depth], NULL) == 0)
            walk_ipm(&inner[depth], depth + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct ipms_object o, o2;
    struct ber_writer w;

    if (ipms_object_decode(ber_slice_make(data, size), &o, NULL) < 0)
        return 0;
    if (o.kind == IPMS_OBJ_IPM)
        walk_ipm(&o.ipm, 0);
    ber_writer_init(&w);
    if (ipms_object_encode(&w, &o) == 0 && w.error == 0)
        FUZZ_CHECK(ipms_object_decode(ber_writer_slice(&w), &o2, NULL) == 0);
    ber_writer_free(&w);
    return 0;
}
