/* The P7 client library's internals (tools/client). */
#ifndef X400MS_CLIENT_PRIVATE_H
#define X400MS_CLIENT_PRIVATE_H

#include "x400ms/client.h"
#include "x400ms/core.h"

/* The process's private OSI stack (embed.c), created on first use with the
 * modules p asks for (rfc1006, tls, rtse). */
int client_env_get(const struct x400ms_client_params *p, struct x400ms_core **core_r,
                   struct x400ms_error *err);

#endif
