/* The per-mailbox registry of auto-action registrations and their timers,
 * persisted as DATA/autoaction/<mailbox>.json (X.413 8.2.7: registrations
 * stay until deregistered, across associations - and, here, restarts). */
#define X400MS_LOG_MODULE "autoaction"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "modules/action/autoaction/aa.h"
#include "x400ms/log.h"

static bool name_ok(const char *name)
{
    size_t n = strlen(name);
    if (n == 0 || n > X400MS_STORE_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= 'A' && name[i] <= 'Z') ||
              (name[i] >= '0' && name[i] <= '9') || name[i] == '.' || name[i] == '_' ||
              name[i] == '-'))
            return false;
    return true;
}

struct aa_mailbox *aa_mailbox_get(struct aa *aa, const char *name, bool create)
{
    for (struct aa_mailbox *m = aa->mailboxes; m != NULL; m = m->next)
        if (strcmp(m->name, name) == 0)
            return m;
    if (!create || !name_ok(name))
        return NULL;
    struct aa_mailbox *m = calloc(1, sizeof *m);
    if (m == NULL)
        return NULL;
    snprintf(m->name, sizeof m->name, "%s", name);
    m->doc = json_pack("{s:[], s:[]}", "registrations", "timers");
    if (m->doc == NULL) {
        free(m);
        return NULL;
    }
    m->next = aa->mailboxes;
    aa->mailboxes = m;
    return m;
}

/* The document as persisted: in-memory marks (keys starting with '_') left out. */
static json_t *doc_for_disk(const json_t *doc)
{
    json_t *copy = json_deep_copy(doc);
    json_t *timers = json_object_get(copy, "timers");
    size_t i;
    json_t *t;
    json_array_foreach(timers, i, t)
        json_object_del(t, "_fired");
    return copy;
}

int aa_mailbox_save(struct aa *aa, struct aa_mailbox *m, struct x400ms_error *err)
{
    char path[4200], tmp[4210];
    snprintf(path, sizeof path, "%s/%s.json", aa->dir, m->name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    json_t *disk = doc_for_disk(m->doc);
    char *text = disk ? json_dumps(disk, JSON_INDENT(1) | JSON_SORT_KEYS) : NULL;
    json_decref(disk);
    if (text == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    size_t len = strlen(text), off = 0;
    while (fd >= 0 && off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    free(text);
    /* temporary file, fsync, rename, directory fsync: never a half file */
    if (fd < 0 || off != len || fsync(fd) < 0 || close(fd) < 0 || rename(tmp, path) < 0) {
        int e = errno;
        if (fd >= 0 && off != len)
            close(fd);
        unlink(tmp);
        return x400ms_error_set(err, e == ENOSPC ? X400MS_ENOSPC : X400MS_EIO,
                                "cannot write %s: %s", path, strerror(e));
    }
    int dfd = open(aa->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return 0;
}

int aa_registry_load_all(struct aa *aa, struct x400ms_error *err)
{
    DIR *d = opendir(aa->dir);
    if (d == NULL)
        return x400ms_error_set(err, X400MS_EIO, "cannot open %s: %s", aa->dir, strerror(errno));
    struct dirent *de;
    int rc = 0;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || n - 5 > X400MS_STORE_NAME_MAX)
            continue;
        char name[X400MS_STORE_NAME_MAX + 1], path[4200];
        snprintf(name, sizeof name, "%.*s", (int)(n - 5), de->d_name);
        snprintf(path, sizeof path, "%s/%s", aa->dir, de->d_name);
        json_error_t je;
        json_t *doc = json_load_file(path, 0, &je);
        if (doc == NULL || !json_is_array(json_object_get(doc, "registrations")) ||
            !json_is_array(json_object_get(doc, "timers"))) {
            /* never lose it silently: refuse to start, the operator decides */
            json_decref(doc);
            rc = x400ms_error_set(err, X400MS_ECORRUPT, "%s: not a registry document (%s, line %d)",
                                  path, doc ? "missing arrays" : je.text, je.line);
            break;
        }
        struct aa_mailbox *m = aa_mailbox_get(aa, name, true);
        if (m == NULL) {
            json_decref(doc);
            continue;
        }
        json_decref(m->doc);
        m->doc = doc;
    }
    closedir(d);
    return rc;
}

void aa_registry_free(struct aa *aa)
{
    while (aa->mailboxes != NULL) {
        struct aa_mailbox *m = aa->mailboxes;
        aa->mailboxes = m->next;
        json_decref(m->doc);
        free(m);
    }
}

/* ---- the registry service ---- */

static int mailbox_exists_visit(void *arg, const struct x400ms_store_mailbox_info *info)
{
    (void)info;
    *(bool *)arg = true;
    return 0;
}

static int check_mailbox(struct aa *aa, const char *mailbox, struct x400ms_error *err)
{
    if (mailbox == NULL || !name_ok(mailbox))
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox: not a mailbox name");
    if (aa->store == NULL)
        return 0;
    bool found = false;
    struct x400ms_error e2 = { 0 };
    aa->store->mailbox_get(aa->store_ctx, mailbox, NULL, mailbox_exists_visit, &found, &e2);
    if (!found)
        return x400ms_error_set(err, X400MS_ENOENT, "mailbox %s does not exist", mailbox);
    return 0;
}

static int add(struct aa *aa, const char *mailbox, const char *type, int64_t id, json_t *param,
               struct x400ms_error *err)
{
    if (param == NULL)
        param = json_object();
    if (!json_is_object(param)) {
        json_decref(param);
        return x400ms_error_set(err, X400MS_EINVAL, "parameter: expected an object");
    }
    const json_t *filter = json_object_get(param, "filter");
    int rc = filter != NULL && !json_is_null(filter) ? aa_filter_check(filter, "parameter.filter", err) : 0;
    if (rc < 0) {
        json_decref(param);
        return rc;
    }
    pthread_mutex_lock(&aa->lock);
    struct aa_mailbox *m = aa_mailbox_get(aa, mailbox, true);
    if (m == NULL) {
        pthread_mutex_unlock(&aa->lock);
        json_decref(param);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    json_t *regs = json_object_get(m->doc, "registrations");
    size_t i;
    json_t *r;
    json_array_foreach(regs, i, r)
        if (strcmp(json_string_value(json_object_get(r, "type")), type) == 0 &&
            json_integer_value(json_object_get(r, "id")) == id)
            break;
    if (i == json_array_size(regs) && (long long)i >= aa->max_registrations) {
        pthread_mutex_unlock(&aa->lock);
        json_decref(param);
        return x400ms_error_set(err, X400MS_ELIMIT, "mailbox %s has %zu registrations (the limit)",
                                mailbox, i);
    }
    json_t *reg = json_pack("{s:s, s:I, s:o}", "type", type, "id", (json_int_t)id, "parameter", param);
    if (reg == NULL)
        rc = x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    else if (i < json_array_size(regs))
        json_array_set_new(regs, i, reg);
    else
        json_array_append_new(regs, reg);
    if (rc == 0)
        rc = aa_mailbox_save(aa, m, err);
    pthread_mutex_unlock(&aa->lock);
    if (rc == 0)
        X400MS_LOG_I("mailbox %s: registered %s id %lld", mailbox, type, (long long)id);
    return rc;
}

static int reg_ber(void *ctx, const char *mailbox, const char *type, int64_t id,
                   const uint8_t *parameter, size_t len, struct x400ms_error *err)
{
    struct aa *aa = ctx;
    void *tctx;
    const struct x400ms_autoaction_type_ops *t = x400ms_autoaction_type_find(aa->core, type, &tctx);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOENT, "auto-action type %s is not available", type);
    int rc = check_mailbox(aa, mailbox, err);
    if (rc < 0)
        return rc;
    if (t->decode_ber == NULL)
        return x400ms_error_set(err, X400MS_EINVAL, "auto-action type %s takes no BER parameter", type);
    json_t *param = NULL;
    if ((rc = t->decode_ber(tctx, parameter, len, &param, err)) < 0)
        return rc;
    return add(aa, mailbox, type, id, param, err);
}

static int reg_json(void *ctx, const char *mailbox, const char *type, int64_t id,
                    const json_t *parameter, struct x400ms_error *err)
{
    struct aa *aa = ctx;
    void *tctx;
    const struct x400ms_autoaction_type_ops *t = x400ms_autoaction_type_find(aa->core, type, &tctx);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOENT, "auto-action type %s is not available", type);
    int rc = check_mailbox(aa, mailbox, err);
    if (rc < 0)
        return rc;
    json_t *param = NULL;
    if (t->decode_json != NULL) {
        if ((rc = t->decode_json(tctx, parameter, &param, err)) < 0)
            return rc;
    } else if (parameter != NULL && !json_is_null(parameter)) {
        param = json_deep_copy(parameter);
    }
    return add(aa, mailbox, type, id, param, err);
}

static bool timer_is(const json_t *t, const char *type, int64_t id)
{
    return strcmp(json_string_value(json_object_get(t, "type")), type) == 0 &&
           json_integer_value(json_object_get(t, "id")) == id;
}

static int dereg(void *ctx, const char *mailbox, const char *type, int64_t id,
                 struct x400ms_error *err)
{
    struct aa *aa = ctx;
    pthread_mutex_lock(&aa->lock);
    struct aa_mailbox *m = aa_mailbox_get(aa, mailbox, false);
    int rc = x400ms_error_set(err, X400MS_ENOENT, "mailbox %s has no registration %s id %lld",
                              mailbox, type, (long long)id);
    if (m != NULL) {
        json_t *regs = json_object_get(m->doc, "registrations");
        for (size_t i = 0; i < json_array_size(regs); i++)
            if (timer_is(json_array_get(regs, i), type, id)) {
                json_array_remove(regs, i);
                rc = 0;
                break;
            }
        json_t *timers = json_object_get(m->doc, "timers");
        for (size_t i = json_array_size(timers); rc == 0 && i-- > 0;)
            if (timer_is(json_array_get(timers, i), type, id))
                json_array_remove(timers, i);
        if (rc == 0) {
            x400ms_error_clear(err);
            rc = aa_mailbox_save(aa, m, err);
        }
    }
    pthread_mutex_unlock(&aa->lock);
    return rc;
}

static json_t *list(void *ctx, const char *mailbox)
{
    struct aa *aa = ctx;
    pthread_mutex_lock(&aa->lock);
    struct aa_mailbox *m = aa_mailbox_get(aa, mailbox, false);
    json_t *out = m ? json_deep_copy(json_object_get(m->doc, "registrations")) : json_array();
    pthread_mutex_unlock(&aa->lock);
    return out;
}

static int schedule(void *ctx, const char *mailbox, const char *type, int64_t id,
                    enum x400ms_store_box box, uint32_t seq, int64_t due_time, const json_t *data,
                    struct x400ms_error *err)
{
    struct aa *aa = ctx;
    json_t *t = json_pack("{s:s, s:I, s:i, s:I, s:I, s:O?}", "type", type, "id", (json_int_t)id,
                          "box", (int)box, "seq", (json_int_t)seq, "due", (json_int_t)due_time,
                          "data", data);
    if (t == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    pthread_mutex_lock(&aa->lock);
    struct aa_mailbox *m = aa_mailbox_get(aa, mailbox, true);
    int rc;
    if (m == NULL) {
        json_decref(t);
        rc = x400ms_error_set(err, X400MS_EINVAL, "mailbox: not a mailbox name");
    } else {
        json_array_append_new(json_object_get(m->doc, "timers"), t);
        rc = aa_mailbox_save(aa, m, err);
        pthread_cond_signal(&aa->tick);
    }
    pthread_mutex_unlock(&aa->lock);
    return rc;
}

static int filter_from_ber(void *ctx, const uint8_t *ber, size_t len, json_t **filter_r,
                           struct x400ms_error *err)
{
    (void)ctx;
    return aa_filter_from_ber(ber, len, filter_r, err);
}

const struct x400ms_autoaction_registry_ops aa_registry_ops = {
    .size = sizeof(struct x400ms_autoaction_registry_ops),
    .register_ber = reg_ber,
    .register_json = reg_json,
    .deregister = dereg,
    .list = list,
    .schedule = schedule,
    .filter_from_ber = filter_from_ber,
};
