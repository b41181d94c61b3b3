/* The BER members of an X.420 clause 19 registration parameter that the
 * canonical JSON parameter keeps as they were registered (hex text), so
 * that every field of them reaches the forward: "envelope_ber" (the
 * forwarding-envelope, a MessageSubmissionEnvelope, X.411 8.2.1.1.1),
 * "heading_ber" (the forwarding-heading, an X.420 7.2 Heading) and
 * "cover_note_ber" (the forwarding-cover-note, an X.420 7.3 BodyPart). */
#define X400MS_LOG_MODULE "forward"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "modules/action/forward/forward.h"

json_t *fwd_hex_json(const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *text = malloc(2 * n + 1);
    if (text == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        text[2 * i] = digits[p[i] >> 4];
        text[2 * i + 1] = digits[p[i] & 15];
    }
    text[2 * n] = '\0';
    json_t *j = json_string(text);
    free(text);
    return j;
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

int fwd_hex_get(const json_t *param, const char *key, struct fwd_blob *b, struct x400ms_error *err)
{
    memset(b, 0, sizeof *b);
    const json_t *v = json_object_get(param, key);
    if (v == NULL)
        return 0;
    const char *t = json_string_value(v);
    size_t n = t != NULL ? strlen(t) : 1;
    if (t == NULL || n == 0 || n % 2 != 0 || n > 2 * 65536)
        return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: expected BER as hex text", key);
    b->len = n / 2;
    if ((b->p = malloc(b->len)) == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    for (size_t i = 0; i < b->len; i++) {
        int hi = hex_digit(t[2 * i]), lo = hex_digit(t[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            fwd_blob_free(b);
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: expected BER as hex text", key);
        }
        b->p[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

void fwd_blob_free(struct fwd_blob *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

int fwd_envelope_decode(const struct fwd_blob *b, struct mts_submission_envelope *env,
                        struct x400ms_error *err)
{
    struct ber_error be;
    struct ber_ctx c;
    struct ber_tlv t;
    memset(&be, 0, sizeof be);
    memset(env, 0, sizeof *env);
    ber_ctx_init(&c, b->p, b->len, &be);
    if (ber_decode_top(&c, &t, "MessageSubmissionEnvelope") < 0 || t.total != b->len ||
        mts_submission_envelope_decode_tlv(&c, &t, env) < 0)
        return x400ms_error_set(err, X400MS_EINVAL, "parameter.envelope_ber: %s",
                                be.what ? be.what : "not one MessageSubmissionEnvelope");
    return 0;
}

int fwd_heading_decode(const struct fwd_blob *b, struct fwd_blob *ipm_r, struct ipm_heading *h,
                       struct x400ms_error *err)
{
    /* the IPM decoder reads a Heading inside IPM ::= SEQUENCE { heading, body } */
    struct ber_writer w;
    ber_writer_init(&w);
    ber_mark_t m = ber_mark(&w), body = ber_mark(&w);
    ber_wrap(&w, body, BER_UNIV(BER_SEQUENCE), true);
    ber_put_raw(&w, b->p, b->len);
    ber_wrap(&w, m, BER_UNIV(BER_SEQUENCE), true);
    memset(ipm_r, 0, sizeof *ipm_r);
    if (w.error || (ipm_r->p = ber_writer_take(&w, &ipm_r->len)) == NULL) {
        ber_writer_free(&w);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    ber_writer_free(&w);
    struct ber_error be;
    struct ipm p;
    memset(&be, 0, sizeof be);
    if (b->len < 2 || b->p[0] != 0x31 || ipms_ipm_decode(ber_slice_make(ipm_r->p, ipm_r->len), &p, &be) < 0) {
        fwd_blob_free(ipm_r);
        return x400ms_error_set(err, X400MS_EINVAL, "parameter.heading_ber: %s",
                                be.what ? be.what : "not one Heading (SET)");
    }
    *h = p.heading;
    return 0;
}

int fwd_body_part_check(const struct fwd_blob *b, struct ipm_body_part *bp, struct x400ms_error *err)
{
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct mhs_seq seq = mhs_seq_raw(ber_slice_make(b->p, b->len), 1);
    struct mhs_seq_iter it;
    mhs_seq_iter_init(&it, &seq, &be);
    if (ipm_body_part_next(&it, bp) != 1 || bp->whole.len != b->len)
        return x400ms_error_set(err, X400MS_EINVAL, "parameter.cover_note_ber: %s",
                                be.what ? be.what : "not one BodyPart");
    return 0;
}
