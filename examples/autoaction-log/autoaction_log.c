/* autoaction_log: a third-party x400ms auto-action plugin, built out of tree
 * with only `pkg-config --cflags --libs x400ms` against the installed
 * headers (see README and Makefile next to this file).
 *
 * It registers the auto-action type 2.999.3.1.1 ("delivery log"). The OID
 * is under the X.660 example arc 2.999 (2.999.3.1 = third-party examples of
 * x400ms); a real plugin must use an OID under an arc its author has
 * registered. For every delivery a registration selects (the dispatcher
 * evaluates the registration's "filter" through the store), run() appends
 * one line to the file named in the module config:
 *
 *   mailbox=alice seq=12 priority=urgent subject="Runway 27 closed"
 *
 * preceded by `label=...` when the registration's parameter has a label.
 *
 * Manifest:
 *   { "name": "autoaction", ... },
 *   { "name": "autoaction_log", "file": "/path/autoaction_log.so",
 *     "config": { "file": "deliveries.log" } }   relative to data_dir
 * Registration (admin API):
 *   POST /api/v1/mailboxes/alice/auto-actions
 *        {"type": "2.999.3.1.1", "parameter": {"filter": {"equal": {"priority": "urgent"}},
 *                                              "label": "urgent"}} */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define X400MS_LOG_MODULE "autoaction_log"
#include <x400ms/autoaction.h>
#include <x400ms/config.h>
#include <x400ms/core.h>
#include <x400ms/log.h>
#include <x400ms/module.h>

#define AALOG_TYPE_OID "2.999.3.1.1"
#define AALOG_LABEL_MAX 64
/* One line: mailbox (64), numbers, label, and a subject of at most
 * X400MS_STORE_SUBJECT_MAX bytes that may grow 4x when escaped. */
#define AALOG_LINE_MAX (1024 + 4 * X400MS_STORE_SUBJECT_MAX)

struct aalog_config {
    const char *file;
    bool fsync;
};

struct aalog {
    struct x400ms_core *core;
    struct aalog_config cfg;
    char *path;            /* absolute, or relative to the daemon's cwd */
    int fd;                /* opened in start(): init under -t creates no file */
    pthread_mutex_t lock;  /* one line at a time: the dispatcher has several workers */
    unsigned long lines, failures;
};

static const struct x400ms_cfg_spec aalog_spec[] = {
    { "file", X400MS_CFG_STRING, X400MS_CFG_REQUIRED | X400MS_CFG_NONEMPTY,
      offsetof(struct aalog_config, file), .help = "the log file, relative to data_dir" },
    { "fsync", X400MS_CFG_BOOL, 0, offsetof(struct aalog_config, fsync), .def_int = 0,
      .help = "fdatasync after each line" },
    X400MS_CFG_END
};

static const char *priority_name(unsigned p)
{
    switch (p) {
    case X400MS_PRIORITY_NORMAL: return "normal";
    case X400MS_PRIORITY_NON_URGENT: return "non-urgent";
    case X400MS_PRIORITY_URGENT: return "urgent";
    default: return "unknown";
    }
}

/* Appends s quoted: a subject is free text from the message, so quotes,
 * backslashes and control characters are escaped to keep one line per
 * delivery whatever the originator wrote. */
static size_t put_quoted(char *out, size_t cap, size_t len, const char *s)
{
    if (len < cap)
        out[len++] = '"';
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p && len + 5 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            out[len++] = '\\';
            out[len++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            len += (size_t)snprintf(out + len, cap - len, "\\x%02x", *p);
        } else {
            out[len++] = (char)*p;
        }
    }
    if (len < cap)
        out[len++] = '"';
    return len;
}

static int aalog_run(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    struct aalog *l = ctx;
    char line[AALOG_LINE_MAX];
    size_t len = 0;
    const char *label = json_string_value(json_object_get(run->reg->parameter, "label"));

    if (label != NULL)
        len += (size_t)snprintf(line, sizeof line, "label=%s ", label);
    len += (size_t)snprintf(line + len, sizeof line - len, "mailbox=%s seq=%u priority=%s subject=",
                            run->reg->mailbox, (unsigned)run->seq,
                            priority_name(run->attrs ? run->attrs->priority : 0xff));
    len = put_quoted(line, sizeof line - 1, len, run->attrs ? run->attrs->subject : NULL);
    line[len++] = '\n';

    pthread_mutex_lock(&l->lock);
    /* O_APPEND and one write() per line: lines never interleave, even with
     * another process appending to the same file. */
    ssize_t n = l->fd >= 0 ? write(l->fd, line, len) : -1;
    int saved = errno;
    if (n == (ssize_t)len && l->cfg.fsync && fdatasync(l->fd) != 0)
        n = -1, saved = errno;
    if (n == (ssize_t)len)
        l->lines++;
    else
        l->failures++;
    pthread_mutex_unlock(&l->lock);
    if (n != (ssize_t)len)
        return x400ms_error_set(err, X400MS_EIO, "%s: %s", l->path,
                                n < 0 ? strerror(saved) : "short write");
    return 0;
}

/* The registration parameter (admin API JSON): {"filter": F, "label": S},
 * both optional. The filter is kept as it is: the dispatcher checks and
 * evaluates it. Anything else is refused, naming the field. */
static int aalog_decode_json(void *ctx, const json_t *in, json_t **param_r, struct x400ms_error *err)
{
    (void)ctx;
    const char *key;
    const json_t *v;

    if (in == NULL || json_is_null(in)) {
        *param_r = json_object();
        return *param_r ? 0 : x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    if (!json_is_object(in))
        return x400ms_error_set(err, X400MS_EINVAL, "parameter: expected an object");
    json_object_foreach((json_t *)in, key, v) {
        if (strcmp(key, "filter") == 0)
            continue;
        if (strcmp(key, "label") != 0)
            return x400ms_error_set(err, X400MS_EINVAL, "parameter.%s: unknown key (filter, label)", key);
        const char *s = json_string_value(v);
        size_t n = s ? strlen(s) : 0;
        if (s == NULL || n == 0 || n > AALOG_LABEL_MAX)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "parameter.label: expected 1 to %d characters", AALOG_LABEL_MAX);
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "parameter.label: printable ASCII without spaces only");
    }
    *param_r = json_deep_copy(in);
    return *param_r ? 0 : x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
}

static const struct x400ms_autoaction_type_ops aalog_type = {
    .size = sizeof aalog_type,
    .events = X400MS_AUTOACTION_ON_DELIVERY,
    .timeout_ms = 1000,
    .decode_json = aalog_decode_json,
    .run = aalog_run,
};

static int aalog_init(struct x400ms_core *core, const json_t *config, void **state,
                      struct x400ms_error *err)
{
    struct aalog *l = calloc(1, sizeof *l);
    int rc;

    if (l == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "autoaction_log: out of memory");
    l->core = core;
    l->fd = -1;
    pthread_mutex_init(&l->lock, NULL);
    if ((rc = x400ms_config_parse(config, x400ms_core_config_path(core), aalog_spec, &l->cfg, err)) != 0)
        goto fail;
    if (l->cfg.file[0] == '/')
        l->path = strdup(l->cfg.file);
    else if (asprintf(&l->path, "%s/%s", x400ms_core_data_dir(core), l->cfg.file) < 0)
        l->path = NULL;
    if (l->path == NULL) {
        rc = x400ms_error_set(err, X400MS_ENOMEM, "autoaction_log: out of memory");
        goto fail;
    }
    if ((rc = x400ms_autoaction_type_register(core, AALOG_TYPE_OID, &aalog_type, l, err)) != 0)
        goto fail;
    *state = l;
    return 0;
fail:
    pthread_mutex_destroy(&l->lock);
    free(l->path);
    free(l);
    return rc;
}

static int aalog_start(void *state)
{
    struct aalog *l = state;
    l->fd = open(l->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (l->fd < 0) {
        X400MS_LOG_E("cannot open %s: %s", l->path, strerror(errno));
        return X400MS_EIO;
    }
    X400MS_LOG_N("auto-action type %s logs deliveries to %s", AALOG_TYPE_OID, l->path);
    return 0;
}

static void aalog_fini(void *state)
{
    struct aalog *l = state;
    if (l->fd >= 0) {
        X400MS_LOG_I("%lu lines written, %lu failed", l->lines, l->failures);
        close(l->fd);
    }
    pthread_mutex_destroy(&l->lock);
    free(l->path);
    free(l);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "autoaction_log",
    .version = "1.0",
    .requires = (const char *const[]){ "autoaction", NULL },
    .init = aalog_init,
    .start = aalog_start,
    .fini = aalog_fini,
};
