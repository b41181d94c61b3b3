/* tools/mta/common.c: what `x400ms-mta deliver` (an MTA over
 * mts-forced-access) and `x400ms-mta ua` (a UA over mts-access), the two P3
 * initiators, both do: parse -H, encode the MTS-bind and the test IPM, and
 * run the OSI stack until their work is done. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ipms.h"
#include "asn1/mts.h"
#include "tools/mta/mta.h"
#include "x400ms/assoc.h"
#include "x400ms/loop.h"

void mta_note_error(char *first, size_t size, const char *fmt, ...)
{
    if (first[0] != '\0')
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(first, size, fmt, ap);
    va_end(ap);
}

int mta_parse_hostport(const char *hostport, char *host, size_t size, int *port)
{
    const char *colon = hostport ? strrchr(hostport, ':') : NULL;
    if (colon == NULL)
        return -1;
    snprintf(host, size, "%.*s", (int)(colon - hostport), hostport);
    *port = atoi(colon + 1);
    return 0;
}

int mta_encode_bind(const struct mts_object_name *initiator, const char *password, uint8_t **out,
                    size_t *len)
{
    struct mts_bind_arg b;
    memset(&b, 0, sizeof b);
    b.initiator_name = *initiator;
    b.credentials.kind = MTS_CRED_SIMPLE; /* X.411 8.1.1.1.1.3: simple, a password */
    b.credentials.password = ber_slice_make(password, strlen(password));
    struct ber_writer w;
    ber_writer_init(&w);
    int rc = mts_bind_arg_encode(&w, &b);
    *out = rc >= 0 ? ber_writer_take(&w, len) : NULL;
    ber_writer_free(&w);
    return *out ? 0 : (rc < 0 ? rc : X400MS_ENOMEM);
}

int mta_encode_ipm(struct ber_writer *w, const char *local_id, const char *subject, long size)
{
    struct ipms_object o;
    memset(&o, 0, sizeof o);
    o.kind = IPMS_OBJ_IPM;
    struct ipm_heading *h = &o.ipm.heading;
    h->this_ipm.local_id = mhs_str_make(local_id, strlen(local_id), BER_PRINTABLE_STRING);
    h->has_subject = true;
    h->subject.bytes = ber_slice_make(subject, strlen(subject));
    h->importance = IPM_IMPORTANCE_NORMAL;
    h->primary_precedence = -1;
    h->copy_precedence = -1;
    size_t n = size > 0 ? (size_t)size : 0;
    char *text = malloc(n + 1);
    if (text == NULL)
        return X400MS_ENOMEM;
    for (size_t i = 0; i < n; i++)
        text[i] = (i % 64 == 63) ? '\n' : (char)('a' + (i % 26));
    struct ipm_body_part bp;
    memset(&bp, 0, sizeof bp);
    bp.kind = IPM_BP_IA5_TEXT;
    bp.repertoire = 5; /* X.420 7.4.3: ia5 (5) */
    bp.text.bytes = ber_slice_make(text, n);
    o.ipm.body_array = &bp;
    o.ipm.n_body_array = 1;
    int rc = ipms_object_encode(w, &o);
    free(text);
    return rc;
}

int mta_loop_run(struct x400ms_core *core, x400ms_task_fn *start, void *arg,
                 pthread_mutex_t *lock, pthread_cond_t *cond, bool (*done)(void *arg))
{
    if (x400ms_loop_post(x400ms_core_loop(core, 0), start, arg) < 0) {
        fprintf(stderr, "x400ms-mta: the stack's loop is not running\n");
        return -1;
    }
    pthread_mutex_lock(lock);
    while (!done(arg))
        pthread_cond_wait(cond, lock);
    pthread_mutex_unlock(lock);
    return 0;
}

void mta_note_refusal(char *first, size_t size, const struct x400ms_connect_result *res)
{
    if (res->status == X400MS_CONNECT_BIND_ERROR) {
        /* X.411 8.1.1.1.3: the MTSBindError says why */
        int code = -1;
        struct ber_error berr = { 0 };
        mts_bind_error_decode(ber_slice_make(res->bind_error.ptr, res->bind_error.len), &code,
                              &berr);
        mta_note_error(first, size, "MTS-bind refused: %s (MTSBindError %d)",
                       code == MTS_BIND_AUTHENTICATION_ERROR ? "authentication-error"
                       : code == MTS_BIND_BUSY               ? "busy"
                                                             : "other",
                       code);
    } else {
        mta_note_error(first, size, "association refused: %s",
                       res->reason ? res->reason : "no reason");
    }
}
