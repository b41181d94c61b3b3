/* Services the core registers itself, as module "core", before any module's
 * init. */
#include "core/core-private.h"
#include "core/osi/osi.h"
#include "x400ms/assoc.h"

int core_register_builtin_services(struct x400ms_core *core, struct x400ms_error *err)
{
    int rc;

    /* The OSI upper layers (core/osi) are the transport user "osi" that
     * rfc1006 and tls listeners hand their connections to by default. */
    rc = x400ms_osi_register(core, err);
    if (rc < 0)
        return rc;
    /* x400ms_associations{protocol} for every protocol module at once. */
    rc = osi_metrics_register(core, err);
    if (rc < 0)
        return rc;
    return 0;
}
