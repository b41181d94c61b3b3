/* tools/mta: x400ms-mta, a test MTA speaking P3 (X.411 over X.419). */
#ifndef X400MS_TOOLS_MTA_H
#define X400MS_TOOLS_MTA_H

#include <stdbool.h>
#include "x400ms/core.h"
#include "x400ms/error.h"

/* embed.c: the process's OSI stack (rfc1006, and rtse when asked). */
int mta_stack_start(bool rtse, struct x400ms_core **core_r, struct x400ms_error *err);
void mta_stack_stop(struct x400ms_core **core);

/* deliver.c */
int mta_deliver_main(int argc, char **argv);

#endif
