/* A tiny module for the loader tests, parametrised by macros set by the
 * including file:
 *   TM_NAME        its name ("tm_a")
 *   TM_REQUIRES    a NULL-terminated list initialiser, or leave undefined
 *   TM_INIT_RC     what init returns (default 0)
 *   TM_START_RC    what start returns (default 0)
 *   TM_ABI, TM_SIZE to forge a bad descriptor
 * Every call is appended as a line "NAME CALL" to the file named by the
 * environment variable X4T_CALL_LOG, so a test (or a daemon started by a test)
 * can check the lifecycle order. init validates {"value": 0..10} and
 * registers an X400MS_SERVICE_OTHER service under its own name. */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include "x400ms/config.h"
#include "x400ms/core.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

#ifndef TM_INIT_RC
#define TM_INIT_RC 0
#endif
#ifndef TM_START_RC
#define TM_START_RC 0
#endif
#ifndef TM_ABI
#define TM_ABI X400MS_ABI_VERSION
#endif
#ifndef TM_SIZE
#define TM_SIZE sizeof(struct x400ms_module)
#endif

struct tm_config {
    long long value;
};

struct tm_ops {
    size_t size;
    const char *name;
};

static const struct tm_ops tm_service = { sizeof(struct tm_ops), TM_NAME };

static void tm_record(const char *call)
{
    const char *path = getenv("X4T_CALL_LOG");
    if (!path)
        return;
    FILE *f = fopen(path, "a");
    if (!f)
        return;
    fprintf(f, "%s %s\n", TM_NAME, call);
    fclose(f);
}

static int tm_init(struct x400ms_core *core, const json_t *config, void **state,
                   struct x400ms_error *err)
{
    static const struct x400ms_cfg_spec spec[] = {
        { "value", X400MS_CFG_INT, 0, offsetof(struct tm_config, value), .min = 0, .max = 10,
          .def_int = 5 },
        X400MS_CFG_END
    };
    static struct tm_config cfg;
    tm_record("init");
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), spec, &cfg, err);
    if (rc != 0)
        return rc;
    if (TM_INIT_RC != 0)
        return x400ms_error_set(err, TM_INIT_RC, "%s: init fails on purpose", TM_NAME);
    rc = x400ms_service_register(core, X400MS_SERVICE_OTHER, TM_NAME, &tm_service, &cfg, err);
    if (rc != 0)
        return rc;
    *state = &cfg;
    return 0;
}

static int tm_start(void *state)
{
    tm_record("start");
    if (TM_START_RC == 0)
        x400ms_log(X400MS_LOG_NOTICE, TM_NAME, "started with value %lld",
                   ((struct tm_config *)state)->value);
    return TM_START_RC;
}

static void tm_stop(void *state)
{
    (void)state;
    tm_record("stop");
}

static void tm_fini(void *state)
{
    (void)state;
    tm_record("fini");
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    .abi = TM_ABI,
    .size = TM_SIZE,
    .name = TM_NAME,
    .version = "1.0-test",
#ifdef TM_REQUIRES
    .requires = (const char *const[])TM_REQUIRES,
#endif
    .init = tm_init,
    .start = tm_start,
    .stop = tm_stop,
    .fini = tm_fini,
};
