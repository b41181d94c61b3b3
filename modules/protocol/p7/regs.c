/* What Register-MS records for a mailbox (X.413 8.2.7: list and fetch
 * attribute defaults, auto-action registrations, UA registrations), kept in
 * DATA/p7/<mailbox>.json, written atomically (temporary file, fsync,
 * rename), so that every UA bound to the mailbox and every later bind sees
 * it. The store API has no place for it yet. */
#define X400MS_LOG_MODULE "p7"
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/log.h"

static void path_of(const struct p7_module *m, const char *mailbox, char *buf, size_t size,
                    const char *suffix)
{
    snprintf(buf, size, "%s/%s.json%s", m->reg_dir, mailbox, suffix);
}

static char *hex_of(const uint8_t *p, size_t n)
{
    char *out = malloc(2 * n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(out + 2 * i, 3, "%02x", p[i]);
    out[2 * n] = '\0';
    return out;
}

static uint8_t *bytes_of_hex(const char *hex, size_t *len_r)
{
    size_t n = strlen(hex) / 2;
    uint8_t *out = malloc(n ? n : 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        if (sscanf(hex + 2 * i, "%2x", &v) != 1) {
            free(out);
            return NULL;
        }
        out[i] = (uint8_t)v;
    }
    *len_r = n;
    return out;
}

void p7_regs_free(struct p7_registrations *r)
{
    for (size_t i = 0; i < r->n_auto_actions; i++)
        free(r->auto_actions[i].parameter);
    free(r->ua_registrations);
    memset(r, 0, sizeof *r);
}

static void load_defaults(const json_t *arr, int *out, size_t *n, bool *has)
{
    if (!json_is_array(arr))
        return;
    *has = true;
    size_t i;
    const json_t *v;
    json_array_foreach(arr, i, v) {
        uint8_t enc[P7_OID_MAX];
        int len = json_is_string(v) ? ber_oid_from_text(json_string_value(v), enc, sizeof enc) : -1;
        int idx = len > 0 ? p7_attr_find(ber_slice_make(enc, (size_t)len)) : -1;
        if (idx >= 0 && *n < P7_MAX_ATTR_DEFAULTS)
            out[(*n)++] = idx;
    }
}

int p7_regs_load(struct p7_module *m, const char *mailbox, struct p7_registrations *r)
{
    char path[4096];
    memset(r, 0, sizeof *r);
    path_of(m, mailbox, path, sizeof path, "");
    pthread_mutex_lock(&m->reg_lock);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    pthread_mutex_unlock(&m->reg_lock);
    if (root == NULL)
        return 0; /* nothing registered yet */
    load_defaults(json_object_get(root, "list_defaults"), r->list_defaults, &r->n_list_defaults,
                  &r->has_list_defaults);
    load_defaults(json_object_get(root, "fetch_defaults"), r->fetch_defaults,
                  &r->n_fetch_defaults, &r->has_fetch_defaults);
    const json_t *aa = json_object_get(root, "auto_actions");
    size_t i;
    const json_t *v;
    json_array_foreach(aa, i, v) {
        if (r->n_auto_actions >= P7_MAX_AUTO_ACTIONS)
            break;
        struct p7_auto_action *x = &r->auto_actions[r->n_auto_actions];
        const char *type = json_string_value(json_object_get(v, "type"));
        if (type == NULL)
            continue;
        snprintf(x->type, sizeof x->type, "%s", type);
        x->id = json_integer_value(json_object_get(v, "id"));
        const char *param = json_string_value(json_object_get(v, "parameter"));
        if (param != NULL)
            x->parameter = bytes_of_hex(param, &x->parameter_len);
        r->n_auto_actions++;
    }
    const char *ua = json_string_value(json_object_get(root, "ua_registrations"));
    if (ua != NULL)
        r->ua_registrations = bytes_of_hex(ua, &r->ua_registrations_len);
    json_decref(root);
    return 0;
}

static json_t *defaults_json(const int *idx, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(arr, json_string(p7_attrs[idx[i]].oid));
    return arr;
}

int p7_regs_save(struct p7_module *m, const char *mailbox, const struct p7_registrations *r)
{
    json_t *root = json_object();
    if (r->has_list_defaults)
        json_object_set_new(root, "list_defaults", defaults_json(r->list_defaults, r->n_list_defaults));
    if (r->has_fetch_defaults)
        json_object_set_new(root, "fetch_defaults",
                            defaults_json(r->fetch_defaults, r->n_fetch_defaults));
    json_t *aa = json_array();
    for (size_t i = 0; i < r->n_auto_actions; i++) {
        const struct p7_auto_action *x = &r->auto_actions[i];
        json_t *o = json_pack("{s:s, s:I}", "type", x->type, "id", (json_int_t)x->id);
        if (x->parameter != NULL) {
            char *hex = hex_of(x->parameter, x->parameter_len);
            if (hex != NULL)
                json_object_set_new(o, "parameter", json_string(hex));
            free(hex);
        }
        json_array_append_new(aa, o);
    }
    json_object_set_new(root, "auto_actions", aa);
    if (r->ua_registrations != NULL) {
        char *hex = hex_of(r->ua_registrations, r->ua_registrations_len);
        if (hex != NULL)
            json_object_set_new(root, "ua_registrations", json_string(hex));
        free(hex);
    }
    char *text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(root);
    if (text == NULL)
        return X400MS_ENOMEM;

    char path[4096], tmp[4100];
    path_of(m, mailbox, path, sizeof path, "");
    path_of(m, mailbox, tmp, sizeof tmp, ".tmp");
    int rc = 0;
    pthread_mutex_lock(&m->reg_lock);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text);
    if (fd < 0 || write(fd, text, len) != (ssize_t)len || fsync(fd) < 0) {
        rc = X400MS_EIO;
    }
    if (fd >= 0)
        close(fd);
    if (rc == 0 && rename(tmp, path) < 0)
        rc = X400MS_EIO;
    if (rc < 0) {
        X400MS_LOG_E("mailbox %s: cannot write %s", mailbox, path);
        unlink(tmp);
    }
    pthread_mutex_unlock(&m->reg_lock);
    free(text);
    return rc;
}
