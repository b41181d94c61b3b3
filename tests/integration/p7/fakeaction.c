/* A tests-only module "fakeaction": registers the auto-action type
 * auto-alert (2.6.4.4.1) in the X400MS_SERVICE_AUTOACTION registry, so that
 * P7's Register-MS accepts registrations of it before the real auto-action
 * modules exist. The ops struct is only its size: nothing calls it yet. */
#include <stddef.h>

#include "x400ms/core.h"
#include "x400ms/module.h"

struct fake_ops {
    size_t size;
};
static const struct fake_ops fake = { sizeof(struct fake_ops) };

static int fake_init(struct x400ms_core *core, const json_t *config, void **state,
                     struct x400ms_error *err)
{
    (void)config;
    *state = NULL;
    return x400ms_service_register(core, X400MS_SERVICE_AUTOACTION, "2.6.4.4.1", &fake, NULL, err);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "fakeaction",
    .version = "test",
    .init = fake_init,
};
