/* tools/mta: x400ms-mta, a test MTA speaking P3 (X.411 over X.419). */
#ifndef X400MS_TOOLS_MTA_H
#define X400MS_TOOLS_MTA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "asn1/ber.h"
#include "asn1/mts.h"
#include "x400ms/core.h"
#include "x400ms/error.h"
#include "x400ms/loop.h"

/* embed.c: the process's OSI stack (rfc1006, and rtse when asked). */
int mta_stack_start(bool rtse, struct x400ms_core **core_r, struct x400ms_error *err);
/* The same with a listener (rfc1006 on listen_host:listen_port, user "osi")
 * and application contexts served on it (ctx passed to their callbacks). */
struct x400ms_app_context;
struct mta_stack_opts {
    bool rtse;
    const char *listen_host;
    int listen_port;
    const struct x400ms_app_context *const *contexts;
    size_t n_contexts;
    void *ctx;
};
int mta_stack_start_opts(const struct mta_stack_opts *o, struct x400ms_core **core_r,
                         struct x400ms_error *err);
void mta_stack_stop(struct x400ms_core **core);

/* common.c: what the two P3 initiators, deliver and ua, share. */
/* Keeps the first error of a run in first (for the summary); later ones are dropped. */
void mta_note_error(char *first, size_t size, const char *fmt, ...) X400MS_PRINTF(3, 4);
/* The reason an association was refused (an MTSBindError or the
 * association's own), kept as the first error. */
struct x400ms_connect_result;
void mta_note_refusal(char *first, size_t size, const struct x400ms_connect_result *res);
/* -H HOST:PORT (split at the last colon): 0, or -1 when there is no colon.
 * The port is not checked here. */
int mta_parse_hostport(const char *hostport, char *host, size_t size, int *port);
/* MTSBindArgument (X.411 8.1.1.1.1) naming initiator, simple credentials
 * (the password), into a malloc'd *out of *len octets. 0 or a negative code. */
int mta_encode_bind(const struct mts_object_name *initiator, const char *password, uint8_t **out,
                    size_t *len);
/* A P22 IPM (X.420): heading with this-IPM (local_id) and subject, one IA5
 * text body part of size octets (a newline every 64), pushed onto w. */
int mta_encode_ipm(struct ber_writer *w, const char *local_id, const char *subject, long size);
/* Runs start(arg) on the stack's loop thread, then waits (under lock, on
 * cond) until done(arg). 0, or -1 (a message on stderr) when the loop is
 * not running. */
int mta_loop_run(struct x400ms_core *core, x400ms_task_fn *start, void *arg,
                 pthread_mutex_t *lock, pthread_cond_t *cond, bool (*done)(void *arg));

/* deliver.c */
int mta_deliver_main(int argc, char **argv);
/* serve.c */
int mta_serve_main(int argc, char **argv);
/* ua.c: a P3 user agent (mts-access) */
int mta_ua_main(int argc, char **argv);

#endif
