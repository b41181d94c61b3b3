/* x400ms public API: validating a module's configuration from a spec table.
 *
 * Instead of hand-written checks, a module describes its config object as a
 * table (nginx's directives as data) and lets the core validate it:
 *
 *   struct rfc1006_config { const char *address; long long port; bool tls; };
 *   static const struct x400ms_cfg_spec rfc1006_spec[] = {
 *       { "address", X400MS_CFG_STRING, 0, offsetof(struct rfc1006_config, address),
 *         .def_str = "127.0.0.1" },
 *       { "port", X400MS_CFG_INT, X400MS_CFG_REQUIRED, offsetof(struct rfc1006_config, port),
 *         .min = 1, .max = 65535 },
 *       X400MS_CFG_END
 *   };
 *   rc = x400ms_config_parse(config, x400ms_core_config_path(core), rfc1006_spec, &cfg, err);
 *
 * Give each entry at least one designated member (e.g. .help or .def_str):
 * gcc's -Wextra warns about an entry written with positional members only.
 *
 * Unknown keys are errors. Every error message starts with the JSON path of
 * the field (e.g. "modules[3].config.port: expected an integer from 1 to
 * 65535, got \"abc\""); the core prefixes the manifest file name. */
#ifndef X400MS_CONFIG_H
#define X400MS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>
#include "x400ms/error.h"

enum x400ms_cfg_type {
    X400MS_CFG_STRING,   /* const char * (points into the manifest; lives as long as it) */
    X400MS_CFG_INT,      /* long long, within [min, max] when min < max */
    X400MS_CFG_BOOL,     /* bool */
    X400MS_CFG_DOUBLE,   /* double */
    X400MS_CFG_ENUM,     /* int: index into enum_values */
    X400MS_CFG_OBJECT,   /* const json_t * (validate it with a nested spec) */
    X400MS_CFG_ARRAY,    /* const json_t * */
    X400MS_CFG_DURATION, /* long long seconds; accepts 30, "30s", "15m", "2h", "2d" */
    X400MS_CFG_ANY,      /* const json_t * of any type */
};

enum x400ms_cfg_flags {
    X400MS_CFG_REQUIRED = 1u << 0,
    X400MS_CFG_NONEMPTY = 1u << 1, /* strings and arrays */
};

struct x400ms_cfg_spec {
    const char *name;
    enum x400ms_cfg_type type;
    unsigned flags;
    size_t offset; /* where the value goes in the output struct */
    long long min, max;                /* INT, DURATION (checked when min < max) */
    const char *def_str;               /* STRING default when absent */
    long long def_int;                 /* INT, DURATION, BOOL (0/1), ENUM default */
    double def_double;
    const char *const *enum_values;    /* ENUM: NULL-terminated */
    const char *help;                  /* what is expected, for messages and docs */
};
#define X400MS_CFG_END { .name = NULL }

/* Validates `obj` (NULL is taken as {}) against spec and writes each value
 * (or its default) at out + offset. `path` is the JSON path of obj for
 * messages. Returns 0 or X400MS_EINVAL with err naming the field. */
int x400ms_config_parse(const json_t *obj, const char *path, const struct x400ms_cfg_spec *spec,
                        void *out, struct x400ms_error *err);

/* Parses "30", "30s", "15m", "2h", "2d" into seconds; -1 if malformed. */
long long x400ms_config_parse_duration(const char *text);

#endif
