/* The client handle (tools/client), shared by client.c and ops.c. */
#ifndef X400MS_CLIENT_OPS_H
#define X400MS_CLIENT_OPS_H

#include <pthread.h>
#include <stdbool.h>

#include "x400ms/assoc.h"
#include "x400ms/client.h"

struct x400ms_client {
    struct x400ms_core *core;
    struct x400ms_loop *loop;
    struct x400ms_assoc *a;          /* loop thread; NULL once ended */
    struct x400ms_app_context ac;    /* the context proposed, with our callbacks */
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool confirmed, ended, abandoned;
    int connect_status;
    int acse_diag;
    char end_reason[400];
    uint8_t *bind_bytes;             /* bind result or bind error parameter */
    size_t bind_len;
    unsigned timeout_ms;
    bool is94;
    x400ms_client_alert_fn *alert_fn;
    void *alert_ctx;
    /* the last abstract error */
    int64_t last_errcode, last_problem;
    uint8_t *last_param;
    size_t last_param_len;
};

/* Runs an operation whose argument w holds (freed here) and waits: 0 with
 * out a result, X400MS_EPERM after an abstract error (kept as the last
 * error), X400MS_EPROTO after a reject, < 0 when no outcome came (ops.c). */
struct ber_writer;
int client_run(struct x400ms_client *c, int64_t opcode, struct ber_writer *w,
               struct x400ms_client_outcome *out, struct x400ms_error *err);

/* Frees the handle (on the loop thread, or when nothing references it). */
void client_free_task(struct x400ms_client *c);

#endif
