/* A third-party x400ms module, built out of tree with only
 *   cc -shared -fPIC -o hello.so hello.c $(pkg-config --cflags --libs x400ms)
 * against the installed headers. It validates its config from a spec table
 * and logs a greeting when it starts. */
#include <stddef.h>
#include <x400ms/config.h>
#include <x400ms/core.h>
#include <x400ms/log.h>
#include <x400ms/module.h>

#define X400MS_LOG_MODULE_NAME "hello"

struct hello_config {
    const char *greeting;
    long long repeat;
};

static struct hello_config hello_cfg;

static const struct x400ms_cfg_spec hello_spec[] = {
    { "greeting", X400MS_CFG_STRING, X400MS_CFG_NONEMPTY, offsetof(struct hello_config, greeting),
      .def_str = "hello" },
    { "repeat", X400MS_CFG_INT, 0, offsetof(struct hello_config, repeat), .min = 1, .max = 3,
      .def_int = 1 },
    X400MS_CFG_END
};

static int hello_init(struct x400ms_core *core, const json_t *config, void **state,
                      struct x400ms_error *err)
{
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), hello_spec, &hello_cfg, err);
    if (rc != 0)
        return rc;
    *state = &hello_cfg;
    return 0;
}

static int hello_start(void *state)
{
    const struct hello_config *cfg = state;
    for (long long i = 0; i < cfg->repeat; i++)
        x400ms_log(X400MS_LOG_NOTICE, X400MS_LOG_MODULE_NAME, "%s from an out-of-tree module (x400ms %s)",
                   cfg->greeting, x400ms_core_version());
    return 0;
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "hello",
    .version = "1.0",
    .init = hello_init,
    .start = hello_start,
};
