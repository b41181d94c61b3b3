/* A tests-only protocol module "echo": application contexts under the X.660
 * example arc, so the OSI stack is tested before P7 exists.
 *
 *   2.999.1.1  echo application context (ROSE over ACSE)
 *   2.999.1.2  its abstract syntax (bind and operations)
 *   2.999.1.3  the reliable variant (ROSE over RTSE over ACSE)
 *
 * Bind: accepted with the argument echoed as the bind result, except an
 * argument OCTET STRING "bad" that gets a bind-error (INTEGER 1) after 20 ms
 * (an asynchronous answer, as a failed-password delay would be).
 * Operations: 1 returns its argument; 2 invokes operation 1 on the peer with
 * the same argument and returns what the peer returned (both directions);
 * 3 answers returnError code 7 with the argument as parameter; 4 rejects
 * with mistyped-argument; 6 makes the module abort the association. Other
 * opcodes are rejected by the core.
 *
 * Config (all optional): {"extra_contexts": [{"oid": "1.17.0.1.1", "syntax":
 * "2.3.0", "reliable": true}]} registers more contexts with the same
 * behaviour and one abstract syntax (to replay foreign traffic);
 * {"client": {"port": N, "transport": "rfc1006", "count": K, "reliable":
 * false, "size": BYTES}} makes the module associate K times, one after the
 * other, to 127.0.0.1:N at start, echo once per association and release;
 * it logs "echo client: K of K associations ok" at the end. */
#define X400MS_LOG_MODULE "echo"
#include <stdlib.h>
#include <string.h>

#include "x400ms/assoc.h"
#include "x400ms/config.h"
#include "x400ms/core.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"
#include "x400ms/module.h"
#include "x400ms/transport.h"

#define ECHO_MAX_EXTRA 4

struct echo_client_cfg {
    long long port, count, size;
    const char *transport;
    bool reliable;
};

struct echo_state {
    struct x400ms_core *core;
    const json_t *extra;
    const json_t *client_cfg;
    struct echo_client_cfg client;
    struct x400ms_app_context extra_ac[ECHO_MAX_EXTRA];
    char extra_oid[ECHO_MAX_EXTRA][64];
    char extra_as_oid[ECHO_MAX_EXTRA][64];
    struct x400ms_abstract_syntax extra_as[ECHO_MAX_EXTRA];
    /* client */
    long long done_count, ok_count;
    uint8_t *payload;
    size_t payload_len;
};

/* A peer invoke waiting for our own invoke on the peer (operation 2). */
struct echo_relay {
    struct echo_state *st;
    int64_t peer_invoke_id;
};

static const struct x400ms_abstract_syntax echo_syntaxes[] = {
    { "2.999.1.2", X400MS_AS_BIND | X400MS_AS_REQUIRED },
};
static const struct x400ms_abstract_syntax echo_reliable_syntaxes[] = {
    { "2.999.1.2", X400MS_AS_BIND | X400MS_AS_RTSE | X400MS_AS_REQUIRED },
};
static const int64_t echo_opcodes[] = { 1, 2, 3, 4, 6 };

static const uint8_t bad_bind[] = { 0x04, 0x03, 'b', 'a', 'd' };
static const uint8_t bind_error_param[] = { 0x02, 0x01, 0x01 };

struct echo_late_bind {
    struct x400ms_assoc *a;
    struct x400ms_timer *timer;
};

static void echo_late_bind_error(struct echo_late_bind *lb)
{
    x400ms_assoc_set_user(lb->a, NULL);
    x400ms_assoc_bind_error(lb->a, X400MS_BYTES(bind_error_param, sizeof(bind_error_param)));
    free(lb);
}

static int echo_bind(void *ctx, struct x400ms_assoc *a, const struct x400ms_bind_request *req)
{
    (void)ctx;
    if (req->argument.len == sizeof(bad_bind) &&
        memcmp(req->argument.ptr, bad_bind, sizeof(bad_bind)) == 0) {
        struct echo_late_bind *lb = calloc(1, sizeof(*lb));
        if (lb == NULL)
            return X400MS_ENOMEM;
        lb->a = a;
        lb->timer = x400ms_timer_add(x400ms_assoc_loop(a), 20, false, echo_late_bind_error, lb);
        if (lb->timer == NULL) {
            free(lb);
            return X400MS_ENOMEM;
        }
        x400ms_assoc_set_user(a, lb);
        X400MS_LOG_I("peer %s: bind refused (bad credentials), answering in 20 ms",
                     x400ms_assoc_peer(a));
        return 0;
    }
    return x400ms_assoc_bind_accept(a, req->argument);
}

static void echo_relay_done(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    struct echo_relay *r = arg;
    switch (o->kind) {
    case X400MS_OUTCOME_RESULT:
        x400ms_assoc_reply(a, r->peer_invoke_id, o->result);
        break;
    case X400MS_OUTCOME_ERROR:
        x400ms_assoc_error(a, r->peer_invoke_id, o->errcode, o->parameter);
        break;
    case X400MS_OUTCOME_REJECT:
        x400ms_assoc_error(a, r->peer_invoke_id, 8, X400MS_NO_BYTES);
        break;
    case X400MS_OUTCOME_ENDED:
        break;
    }
    free(r);
}

static void echo_invoke(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    struct echo_state *st = ctx;
    switch (inv->opcode) {
    case 1:
        x400ms_assoc_reply(a, inv->invoke_id, inv->argument);
        break;
    case 2: {
        struct echo_relay *r = calloc(1, sizeof(*r));
        if (r == NULL) {
            x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
            break;
        }
        r->st = st;
        r->peer_invoke_id = inv->invoke_id;
        if (x400ms_assoc_invoke(a, 1, inv->argument, NULL, echo_relay_done, r, NULL) < 0) {
            free(r);
            x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_RESOURCE_LIMITATION);
        }
        break;
    }
    case 3:
        x400ms_assoc_error(a, inv->invoke_id, 7, inv->argument);
        break;
    case 6:
        x400ms_assoc_abort(a, "echo: the peer asked for an abort (operation 6)");
        break;
    default:
        x400ms_assoc_reject(a, inv->invoke_id, X400MS_ROSE_INVOKE_MISTYPED_ARGUMENT);
        break;
    }
}

/* Extra contexts (foreign test clients): every operation echoes. */
static void echo_invoke_any(void *ctx, struct x400ms_assoc *a, const struct x400ms_invoke *inv)
{
    (void)ctx;
    x400ms_assoc_reply(a, inv->invoke_id, inv->argument);
}

static void echo_released(void *ctx, struct x400ms_assoc *a)
{
    (void)ctx;
    X400MS_LOG_D("peer %s: released", x400ms_assoc_peer(a));
}

static void echo_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    (void)ctx;
    struct echo_late_bind *lb = x400ms_assoc_user(a);
    if (lb != NULL) {
        x400ms_timer_remove(&lb->timer);
        free(lb);
    }
    X400MS_LOG_I("peer %s: aborted: %s", x400ms_assoc_peer(a), why->reason);
}

#define ECHO_CONTEXT_INIT(oid_, name_, syn_, reliable_)                        \
    {                                                                          \
        .size = sizeof(struct x400ms_app_context), .oid = (oid_), .name = (name_), \
        .syntaxes = (syn_), .n_syntaxes = 1, .reliable = (reliable_),          \
        .opcodes = echo_opcodes, .n_opcodes = 5, .bind = echo_bind,            \
        .invoke = echo_invoke, .released = echo_released, .aborted = echo_aborted, \
    }

static const struct x400ms_app_context echo_ac =
    ECHO_CONTEXT_INIT("2.999.1.1", "echo", echo_syntaxes, false);
static const struct x400ms_app_context echo_reliable_ac =
    ECHO_CONTEXT_INIT("2.999.1.3", "echo-reliable", echo_reliable_syntaxes, true);

/* ---- the client side ---- */

static void echo_client_next(struct echo_state *st);

static void echo_client_finish_one(struct echo_state *st, bool ok)
{
    st->done_count++;
    if (ok)
        st->ok_count++;
    if (st->done_count >= st->client.count) {
        X400MS_LOG_N("echo client: %lld of %lld associations ok", st->ok_count, st->client.count);
        return;
    }
    echo_client_next(st);
}

static void echo_client_released(void *ctx, struct x400ms_assoc *a)
{
    struct echo_state *st = ctx;
    bool ok = x400ms_assoc_user(a) == (void *)st;
    echo_client_finish_one(st, ok);
}

static void echo_client_aborted(void *ctx, struct x400ms_assoc *a, const struct x400ms_abort_info *why)
{
    struct echo_state *st = ctx;
    X400MS_LOG_W("echo client: association aborted: %s", why->reason);
    echo_client_finish_one(st, false);
}

static void echo_client_result(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    struct echo_state *st = arg;
    if (o->kind == X400MS_OUTCOME_ENDED)
        return;
    bool ok = o->kind == X400MS_OUTCOME_RESULT && o->result.len == st->payload_len &&
              memcmp(o->result.ptr, st->payload, o->result.len) == 0;
    if (!ok)
        X400MS_LOG_W("echo client: wrong answer (kind %d, %zu octets)", (int)o->kind, o->result.len);
    if (ok)
        x400ms_assoc_set_user(a, st);
    x400ms_assoc_release(a, X400MS_NO_BYTES);
}

static void echo_client_confirm(void *ctx, struct x400ms_assoc *a, const struct x400ms_connect_result *r)
{
    struct echo_state *st = ctx;
    if (r->status != X400MS_CONNECT_ACCEPTED) {
        X400MS_LOG_W("echo client: association failed: %s", r->reason ? r->reason : "?");
        echo_client_finish_one(st, false);
        return;
    }
    int rc = x400ms_assoc_invoke(a, 1, X400MS_BYTES(st->payload, st->payload_len),
                                 NULL, echo_client_result, st, NULL);
    if (rc < 0)
        x400ms_assoc_abort(a, "echo client: invoke failed");
}

static const struct x400ms_app_context echo_client_ac = {
    .size = sizeof(struct x400ms_app_context), .oid = "2.999.1.1", .name = "echo",
    .syntaxes = echo_syntaxes, .n_syntaxes = 1,
    .released = echo_client_released, .aborted = echo_client_aborted,
};
static const struct x400ms_app_context echo_client_reliable_ac = {
    .size = sizeof(struct x400ms_app_context), .oid = "2.999.1.3", .name = "echo-reliable",
    .syntaxes = echo_reliable_syntaxes, .n_syntaxes = 1, .reliable = true,
    .released = echo_client_released, .aborted = echo_client_aborted,
};

static void echo_client_next(struct echo_state *st)
{
    static const uint8_t bind_arg[] = { 0x04, 0x02, 'o', 'k' };
    struct x400ms_assoc_request req = {
        .size = sizeof(req),
        .transport = st->client.transport,
        .host = "127.0.0.1",
        .port = (int)st->client.port,
        .context = st->client.reliable ? &echo_client_reliable_ac : &echo_client_ac,
        .ctx = st,
        .bind_argument = X400MS_BYTES(bind_arg, sizeof(bind_arg)),
        .confirm = echo_client_confirm,
    };
    struct x400ms_error err;
    if (x400ms_assoc_connect(st->core, &req, &err) < 0) {
        X400MS_LOG_W("echo client: connect: %s", err.message);
        echo_client_finish_one(st, false);
    }
}

static void echo_client_start(struct echo_state *st)
{
    echo_client_next(st);
}

/* ---- module ---- */

static const struct x400ms_cfg_spec echo_client_spec[] = {
    { "port", X400MS_CFG_INT, X400MS_CFG_REQUIRED, offsetof(struct echo_client_cfg, port), .min = 1, .max = 65535 },
    { "count", X400MS_CFG_INT, 0, offsetof(struct echo_client_cfg, count), .min = 1, .max = 1000000, .def_int = 1 },
    { "size", X400MS_CFG_INT, 0, offsetof(struct echo_client_cfg, size), .min = 1, .max = 1 << 24, .def_int = 16 },
    { "transport", X400MS_CFG_STRING, 0, offsetof(struct echo_client_cfg, transport), .def_str = "rfc1006" },
    { "reliable", X400MS_CFG_BOOL, 0, offsetof(struct echo_client_cfg, reliable), .def_int = 0 },
    X400MS_CFG_END
};

struct echo_cfg {
    const json_t *extra;
    const json_t *client;
};
static const struct x400ms_cfg_spec echo_spec[] = {
    { "extra_contexts", X400MS_CFG_ARRAY, 0, offsetof(struct echo_cfg, extra), .help = "OIDs" },
    { "client", X400MS_CFG_OBJECT, 0, offsetof(struct echo_cfg, client), .help = "client" },
    X400MS_CFG_END
};

static int echo_init(struct x400ms_core *core, const json_t *config, void **state,
                     struct x400ms_error *err)
{
    struct echo_cfg cfg = { 0 };
    const char *path = x400ms_core_config_path(core);
    int rc = x400ms_config_parse(config, path, echo_spec, &cfg, err);
    if (rc < 0)
        return rc;
    struct echo_state *st = calloc(1, sizeof(*st));
    if (st == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "echo: out of memory");
    st->core = core;
    /* Until the core registers the OSI stack itself (core/builtin-services.c),
     * this test module does. */
    if (x400ms_tuser_find(core, "osi", NULL) == NULL &&
        (rc = x400ms_osi_register(core, err)) < 0)
        goto fail;
    if (cfg.client != NULL) {
        char cpath[256];
        snprintf(cpath, sizeof(cpath), "%s.client", path ? path : "config");
        rc = x400ms_config_parse(cfg.client, cpath, echo_client_spec, &st->client, err);
        if (rc < 0)
            goto fail;
        st->client_cfg = cfg.client;
        /* The payload: an OCTET STRING of `size` octets, 5-octet header. */
        size_t n = (size_t)st->client.size;
        st->payload_len = n + 5;
        st->payload = malloc(st->payload_len);
        if (st->payload == NULL) {
            rc = x400ms_error_set(err, X400MS_ENOMEM, "echo: out of memory");
            goto fail;
        }
        st->payload[0] = 0x04;
        st->payload[1] = 0x83;
        st->payload[2] = (uint8_t)(n >> 16);
        st->payload[3] = (uint8_t)(n >> 8);
        st->payload[4] = (uint8_t)n;
        for (size_t i = 0; i < n; i++)
            st->payload[5 + i] = (uint8_t)('a' + i % 26);
    }
    rc = x400ms_app_context_register(core, &echo_ac, st, err);
    if (rc == 0)
        rc = x400ms_app_context_register(core, &echo_reliable_ac, st, err);
    if (rc < 0)
        goto fail;
    size_t i;
    const json_t *v;
    if (cfg.extra != NULL) {
        json_array_foreach(cfg.extra, i, v) {
            const char *oid = NULL, *syntax = NULL;
            int reliable = 0;
            if (i >= ECHO_MAX_EXTRA ||
                json_unpack((json_t *)v, "{s:s, s:s, s?b}", "oid", &oid, "syntax", &syntax, "reliable",
                            &reliable) != 0) {
                rc = x400ms_error_set(err, X400MS_EINVAL,
                                      "%s.extra_contexts[%zu]: expected {\"oid\": OID, \"syntax\": OID, "
                                      "\"reliable\": bool} (at most %d)",
                                      path ? path : "config", i, ECHO_MAX_EXTRA);
                goto fail;
            }
            snprintf(st->extra_oid[i], sizeof(st->extra_oid[i]), "%s", oid);
            snprintf(st->extra_as_oid[i], sizeof(st->extra_as_oid[i]), "%s", syntax);
            st->extra_as[i].oid = st->extra_as_oid[i];
            st->extra_as[i].flags = X400MS_AS_BIND | X400MS_AS_REQUIRED | (reliable ? X400MS_AS_RTSE : 0);
            st->extra_ac[i] = echo_ac;
            st->extra_ac[i].oid = st->extra_oid[i];
            st->extra_ac[i].name = "echo-extra";
            st->extra_ac[i].syntaxes = &st->extra_as[i];
            st->extra_ac[i].reliable = reliable != 0;
            st->extra_ac[i].opcodes = NULL; /* every opcode is echoed */
            st->extra_ac[i].invoke = echo_invoke_any;
            rc = x400ms_app_context_register(core, &st->extra_ac[i], st, err);
            if (rc < 0)
                goto fail;
        }
    }
    *state = st;
    return 0;
fail:
    free(st->payload);
    free(st);
    return rc;
}

static int echo_start(void *state)
{
    struct echo_state *st = state;
    if (st->client_cfg == NULL)
        return 0;
    struct x400ms_loop *loop = x400ms_core_next_loop(st->core);
    return x400ms_loop_post(loop, echo_client_start, st);
}

static void echo_fini(void *state)
{
    struct echo_state *st = state;
    free(st->payload);
    free(st);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "echo",
    .version = "1.0",
    .init = echo_init,
    .start = echo_start,
    .fini = echo_fini,
};
