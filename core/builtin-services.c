/* Services the core registers itself, as module "core", before any module's
 * init (e.g. the OSI stack as the transport user "osi"). The lead adds the
 * calls here. */
#include "core/core-private.h"

int core_register_builtin_services(struct x400ms_core *core, struct x400ms_error *err)
{
    (void)core;
    (void)err;
    return 0;
}
