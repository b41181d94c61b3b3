/* Module "alert": the auto-alert auto-action (X.413 12.3.x, id-act-auto-alert
 * 2.6.4.4.1). On delivery of an entry that the registration's filter
 * selects, it asks P7 - which owns the associations - to invoke Alert
 * (X.413 8.2.8) on the bound UAs, through the hook X400MS_HOOK_AUTO_ALERT
 * (include/x400ms/autoaction.h); P7 records alert-indication for the next
 * bind when no UA is bound.
 *
 * Latency (issue 8): the dispatcher runs this type on the delivering thread
 * right after the entry is durable, not on one of its workers (see
 * modules/action/autoaction/dispatch.c), so alert_run and every handler of
 * the auto-alert hook must not block: P7's encodes the AlertArgument and
 * posts it to the UAs' loops.
 *
 * Parameter (JSON, canonical):
 *   {"filter": F, "requested_attributes": ["2.6.4.3.31", "2.6.1.7.4"]}
 * From P7 Register-MS (BER), AutoAlertRegistrationParameter ::= SET {
 *   filter [0] Filter OPTIONAL, alert-addresses [1] ... OPTIONAL,
 *   requested-attributes [2] EntryInformationSelection OPTIONAL, ... }
 * alert-addresses (alerts by other means than P7) are accepted and ignored. */
#define X400MS_LOG_MODULE "alert"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/ber.h"
#include "asn1/ms.h"
#include "x400ms/autoaction.h"
#include "x400ms/config.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"
#include "x400ms/module.h"

#define ALERT_MAX_ATTRS 32

struct alert_state {
    struct x400ms_core *core;
};

static int oid_text_ok(const char *s)
{
    uint8_t buf[64];
    return ber_oid_from_text(s, buf, sizeof buf) > 0;
}

static int alert_decode_json(void *ctx, const json_t *in, json_t **param_r, struct x400ms_error *err)
{
    (void)ctx;
    if (in == NULL || json_is_null(in)) {
        *param_r = json_object();
        return 0;
    }
    if (!json_is_object(in))
        return x400ms_error_set(err, X400MS_EINVAL, "parameter: expected an object");
    const char *key;
    const json_t *v;
    json_object_foreach((json_t *)in, key, v) {
        if (strcmp(key, "filter") != 0 && strcmp(key, "requested_attributes") != 0)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "parameter.%s: unknown member (filter, requested_attributes)", key);
    }
    const json_t *ra = json_object_get(in, "requested_attributes");
    if (ra != NULL) {
        if (!json_is_array(ra) || json_array_size(ra) > ALERT_MAX_ATTRS)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "parameter.requested_attributes: expected up to %d OID texts",
                                    ALERT_MAX_ATTRS);
        size_t i;
        json_array_foreach(ra, i, v)
            if (!json_is_string(v) || !oid_text_ok(json_string_value(v)))
                return x400ms_error_set(err, X400MS_EINVAL,
                                        "parameter.requested_attributes[%zu]: not an OID text", i);
    }
    *param_r = json_deep_copy(in);
    return *param_r ? 0 : x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
}

static int alert_decode_ber(void *ctx, const uint8_t *ber, size_t len, json_t **param_r,
                            struct x400ms_error *err)
{
    struct alert_state *st = ctx;
    json_t *param = json_object();
    *param_r = NULL;
    if (len == 0) {
        *param_r = param;
        return 0;
    }
    struct ber_error be;
    memset(&be, 0, sizeof be);
    struct ber_ctx c;
    struct ber_tlv set, t;
    struct ber_iter it;
    ber_ctx_init(&c, ber, len, &be);
    int rc = ber_decode_top(&c, &set, "AutoAlertRegistrationParameter");
    if (rc == 0)
        rc = ber_enter(&c, &set, &it, "AutoAlertRegistrationParameter");
    while (rc == 0 && !ber_at_end(&it) && (rc = ber_next(&it, &t)) == 0) {
        if (t.tag == BER_CTX(0)) {
            struct ber_tlv inner;
            void *rctx;
            const struct x400ms_autoaction_registry_ops *reg =
                x400ms_autoaction_registry_find(st->core, &rctx);
            json_t *f = NULL;
            if ((rc = ber_explicit(&c, &t, &inner, "AutoAlertRegistrationParameter.filter")) < 0)
                break;
            if (reg == NULL) {
                json_decref(param);
                return x400ms_error_set(err, X400MS_ESTATE, "the autoaction module is not loaded");
            }
            struct ber_slice w = ber_tlv_whole(&inner);
            if ((rc = reg->filter_from_ber(rctx, w.ptr, w.len, &f, err)) < 0) {
                json_decref(param);
                return rc;
            }
            json_object_set_new(param, "filter", f);
        } else if (t.tag == BER_CTX(2)) {
            struct ber_tlv inner;
            struct mhs_seq seq;
            if ((rc = ber_explicit(&c, &t, &inner, "AutoAlertRegistrationParameter.requested-attributes")) < 0 ||
                (rc = mhs_seq_from_tlv(&c, &inner, &seq, "EntryInformationSelection", ALERT_MAX_ATTRS)) < 0)
                break;
            json_t *arr = json_array();
            struct mhs_seq_iter si;
            struct ms_attr_selection sel;
            mhs_seq_iter_init(&si, &seq, &be);
            while ((rc = ms_attr_selection_next(&si, &sel)) == 1) {
                char oid[128];
                if (ber_oid_to_text(sel.type, oid, sizeof oid) >= 0)
                    json_array_append_new(arr, json_string(oid));
            }
            json_object_set_new(param, "requested_attributes", arr);
            if (rc < 0)
                break;
            rc = 0;
        }
        /* [1] alert-addresses and later members: not for P7 alerts; ignored */
    }
    if (rc < 0) {
        json_decref(param);
        return ber_error_to_x400ms(&be, err, "auto-alert parameter");
    }
    *param_r = param;
    return 0;
}

static int alert_run(void *ctx, const struct x400ms_autoaction_run *run, struct x400ms_error *err)
{
    struct alert_state *st = ctx;
    const json_t *ra = json_object_get(run->reg->parameter, "requested_attributes");
    const char *attrs[ALERT_MAX_ATTRS + 1];
    size_t n = 0;
    for (size_t i = 0; i < json_array_size(ra) && n < ALERT_MAX_ATTRS; i++)
        attrs[n++] = json_string_value(json_array_get(ra, i));
    attrs[n] = NULL;
    struct x400ms_alert_event ev = {
        .size = sizeof ev, .mailbox = run->reg->mailbox, .registration_id = run->reg->id,
        .box = run->box, .seq = run->seq, .attrs = run->attrs,
        .requested_attributes = ra != NULL ? attrs : NULL,
    };
    int rc = x400ms_hook_run(st->core, X400MS_HOOK_AUTO_ALERT, &ev);
    if (rc < 0)
        return x400ms_error_set(err, rc, "the auto-alert hook failed: %s", x400ms_strerror(rc));
    if (ev.alerted == 0 && !ev.indication_recorded)
        X400MS_LOG_I("mailbox %s entry %u: auto-alert %lld: no UA alerted and no alert-indication "
                     "recorded (is p7 loaded?)", run->reg->mailbox, (unsigned)run->seq,
                     (long long)run->reg->id);
    else
        X400MS_LOG_D("mailbox %s entry %u: alerted %u UA(s)", run->reg->mailbox,
                     (unsigned)run->seq, ev.alerted);
    return 0;
}

static const struct x400ms_autoaction_type_ops alert_type = {
    .size = sizeof(struct x400ms_autoaction_type_ops),
    .events = X400MS_AUTOACTION_ON_DELIVERY,
    .timeout_ms = 1000,
    .decode_ber = alert_decode_ber,
    .decode_json = alert_decode_json,
    .run = alert_run,
    /* alert_run only posts the Alert to the bound UAs' loops (P7's
     * X400MS_HOOK_AUTO_ALERT handler does no I/O): it may run inline. */
    .flags = X400MS_AUTOACTION_RUNS_INLINE,
};

static int alert_init(struct x400ms_core *core, const json_t *config, void **state,
                      struct x400ms_error *err)
{
    static const struct x400ms_cfg_spec none[] = { X400MS_CFG_END };
    int rc = x400ms_config_parse(config, x400ms_core_config_path(core), none, NULL, err);
    if (rc < 0)
        return rc;
    struct alert_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    st->core = core;
    if ((rc = x400ms_autoaction_type_register(core, X400MS_AUTOACTION_AUTO_ALERT, &alert_type, st,
                                              err)) < 0) {
        free(st);
        return rc;
    }
    *state = st;
    return 0;
}

static void alert_fini(void *state)
{
    free(state);
}

X400MS_MODULE_EXPORT const struct x400ms_module X400MS_MODULE_ENTRY = {
    X400MS_MODULE_HEADER,
    .name = "alert",
    .version = "1.0",
    .requires = (const char *const[]){ "autoaction", NULL },
    .init = alert_init,
    .fini = alert_fini,
};
