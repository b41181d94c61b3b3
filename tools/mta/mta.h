/* tools/mta: x400ms-mta, a test MTA speaking P3 (X.411 over X.419). */
#ifndef X400MS_TOOLS_MTA_H
#define X400MS_TOOLS_MTA_H

#include <stdbool.h>
#include <stddef.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

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

/* deliver.c */
int mta_deliver_main(int argc, char **argv);
/* serve.c */
int mta_serve_main(int argc, char **argv);
/* ua.c: a P3 user agent (mts-access) */
int mta_ua_main(int argc, char **argv);

#endif
