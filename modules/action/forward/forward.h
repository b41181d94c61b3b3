/* Module "forward": ipm-auto-forward (X.420 / X.413 id-act-ipm-auto-forward
 * 2.6.4.4.0) and delayed auto-forward (our type 2.999.2.1.1). Private. */
#ifndef X400MS_MODULES_ACTION_FORWARD_FORWARD_H
#define X400MS_MODULES_ACTION_FORWARD_FORWARD_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "x400ms/autoaction.h"

#define FWD_MAX_RECIPIENTS 32
#define FWD_MAX_NESTING 8 /* forwarded-in-forwarded depth refused beyond this */

struct fwd_state {
    struct x400ms_core *core;
    const struct x400ms_store_ops *store;
    void *store_ctx;
    char dir[4096];          /* DATA/forward: per-mailbox forwarded sets */
    pthread_mutex_t lock;
};

/* build.c: the forwarding envelope and the IPM around the original.
 * *env_r / *content_r are malloc'd. */
int fwd_build(const json_t *param, const char *originator, const struct x400ms_store_entry *e,
              uint32_t seq, uint8_t **env_r, size_t *env_len_r, uint8_t **content_r,
              size_t *content_len_r, struct x400ms_error *err);
/* The priority of a forward's envelope and the subject of its IPM, for its
 * Out Box copy. */
void fwd_summary(const uint8_t *content, size_t content_len, const uint8_t *env, size_t env_len,
                 int *priority_r, char *subject, size_t subject_size);
/* A malloc'd copy of what w holds (*len_r its length), NULL when out of
 * memory; notify.c hands its PDUs out the same way. */
struct ber_writer;
uint8_t *fwd_copy_out(const struct ber_writer *w, size_t *len_r);
/* Pushes the MessageSubmissionEnvelope (X.411 8.2.1.1.1) of a P22 content
 * from originator to the n rcpts at priority (MTS_PRIORITY_*): the forward
 * (build.c) and the NRN (notify.c) are submitted alike. 0 or w's error. */
struct or_address;
struct mts_submission_recipient;
int fwd_encode_p22_envelope(struct ber_writer *w, const struct or_address *originator, int priority,
                            const struct mts_submission_recipient *rcpts, uint32_t n);
/* The loop key: a hash of the innermost original content (unwrapping
 * auto-forwarded IPMs), and the nesting depth found. */
uint64_t fwd_loop_key(const uint8_t *content, size_t len, unsigned *depth_r);

/* stored.c: the BER members of a clause 19 parameter kept in the canonical
 * JSON as hex text ("envelope_ber", "heading_ber", "cover_note_ber"). */
struct fwd_blob {
    uint8_t *p;
    size_t len;
};
struct mts_submission_envelope;
struct ipm_heading;
struct ipm_body_part;
json_t *fwd_hex_json(const uint8_t *p, size_t n);
/* 0 when key is absent (b empty), 1 with b filled (fwd_blob_free it), or
 * X400MS_EINVAL naming parameter.KEY. */
int fwd_hex_get(const json_t *param, const char *key, struct fwd_blob *b, struct x400ms_error *err);
void fwd_blob_free(struct fwd_blob *b);
/* env points into b. */
int fwd_envelope_decode(const struct fwd_blob *b, struct mts_submission_envelope *env,
                        struct x400ms_error *err);
/* A Heading SET TLV decoded with the X.420 codec: *h points into *ipm_r (a
 * new buffer, fwd_blob_free it after use). */
int fwd_heading_decode(const struct fwd_blob *b, struct fwd_blob *ipm_r, struct ipm_heading *h,
                       struct x400ms_error *err);
/* b holds exactly one BodyPart; *bp points into b. */
int fwd_body_part_check(const struct fwd_blob *b, struct ipm_body_part *bp, struct x400ms_error *err);

/* build.c: why the entry is not to be forwarded under param's
 * IPMAutoForwardOptions (X.420 19: forward-all-object-types,
 * forwarded-content-prohibited), or NULL. */
const char *fwd_skip_reason(const json_t *param, const struct x400ms_store_entry *e);

/* forward.c: a PrintableString's characters (X.680 41.4)? */
bool fwd_printable(const char *c);
/* forward.c: checks a JSON parameter and makes the canonical one. */
int fwd_decode_param(const json_t *in, bool delayed, json_t **param_r, struct x400ms_error *err);
/* param_ber.c: the X.420 BER registration parameter (1994 or 1988 form)
 * as a JSON parameter (to be checked by fwd_decode_param). */
int fwd_param_from_ber(struct fwd_state *st, const uint8_t *ber, size_t len, json_t **param_r,
                       struct x400ms_error *err);

/* notify.c: the non-receipt notification (reason ipm-auto-forwarded) to the
 * forwarded IPM's originator, when its heading asked this recipient for
 * NRN. Returns 1 with *out filled (free with fwd_nrn_free), 0 when none is
 * owed, or a negative code. */
struct fwd_nrn {
    uint8_t *envelope, *content;
    size_t envelope_len, content_len;
    char to[X400MS_STORE_ADDRESS_MAX]; /* the IPN's recipient, for the log */
    bool returned_ipm;
};
int fwd_build_nrn(const json_t *param, const char *ms_address, const struct x400ms_store_entry *e,
                  struct fwd_nrn *out, struct x400ms_error *err);
void fwd_nrn_free(struct fwd_nrn *n);

/* set.c: the per-mailbox forwarded set (DATA/forward/<mailbox>.set). */
bool fwd_set_contains(struct fwd_state *st, const char *mailbox, uint64_t key);
int fwd_set_add(struct fwd_state *st, const char *mailbox, uint64_t key, struct x400ms_error *err);

#endif
