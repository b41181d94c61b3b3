/* admin-api: MTA accounts persisted as one JSON file, replaced atomically.
 *
 * File format (version 1):
 *   {"version": 1, "mtas": [{"name": "mta1", "password_hash": "pbkdf2-sha256$...",
 *                            "created": 1795000000}, ...]}
 * The in-memory copy is authoritative while the daemon runs; every change
 * writes a new file (temporary name, fsync, rename, directory fsync) before
 * it is acknowledged, so a crash leaves the old or the new set, never a mix. */
#define X400MS_LOG_MODULE "admin_api"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "admin-api/mta_accounts.h"
#include "admin-api/util.h"
#include "x400ms/log.h"
#include "x400ms/store.h"

struct mta_account {
    char name[X400MS_MTA_NAME_MAX + 1];
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    int64_t created;
};

struct admin_mta_accounts {
    pthread_mutex_t lock;
    char *path;
    struct mta_account *items; /* sorted by name */
    size_t count, cap;
    unsigned iterations;
    char dummy_hash[X400MS_STORE_PASSWORD_HASH_MAX]; /* verified against for unknown names */
};

static int find_index(const struct admin_mta_accounts *m, const char *name, size_t *pos)
{
    size_t lo = 0, hi = m->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(m->items[mid].name, name);
        if (c == 0) {
            *pos = mid;
            return 1;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

/* Inserts an account at pos (the set stays sorted by name). Lock held. */
static int insert_at(struct admin_mta_accounts *m, size_t pos, const char *name, const char *hash,
                     int64_t created, struct x400ms_error *err)
{
    if (m->count == m->cap) {
        size_t cap = m->cap != 0 ? m->cap * 2 : 8;
        struct mta_account *grown = realloc(m->items, cap * sizeof *grown);
        if (grown == NULL)
            return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
        m->items = grown;
        m->cap = cap;
    }
    memmove(&m->items[pos + 1], &m->items[pos], (m->count - pos) * sizeof *m->items);
    struct mta_account *a = &m->items[pos];
    memset(a, 0, sizeof *a);
    snprintf(a->name, sizeof a->name, "%s", name);
    snprintf(a->hash, sizeof a->hash, "%s", hash);
    a->created = created;
    m->count++;
    return 0;
}

/* Writes the whole set atomically. Lock held. */
static int save(struct admin_mta_accounts *m, struct x400ms_error *err)
{
    json_t *list = json_array();
    for (size_t i = 0; i < m->count; i++)
        json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "name", m->items[i].name,
                                              "password_hash", m->items[i].hash, "created",
                                              (json_int_t)m->items[i].created));
    json_t *doc = json_pack("{s:i, s:o}", "version", 1, "mtas", list);
    char *text = doc != NULL ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    if (text == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");

    int rc = admin_write_file_atomic(m->path, text, err);
    free(text);
    return rc;
}

static int load(struct admin_mta_accounts *m, struct x400ms_error *err)
{
    json_error_t jerr;
    json_t *doc = json_load_file(m->path, JSON_REJECT_DUPLICATES, &jerr);
    if (doc == NULL) {
        if (access(m->path, F_OK) != 0 && errno == ENOENT)
            return 0;
        return x400ms_error_set(err, X400MS_ECORRUPT, "%s:%d:%d: %s", m->path, jerr.line,
                                jerr.column, jerr.text);
    }
    json_t *list = json_object_get(doc, "mtas");
    int rc = 0;
    if (json_integer_value(json_object_get(doc, "version")) != 1 || !json_is_array(list)) {
        rc = x400ms_error_set(err, X400MS_ECORRUPT, "%s: expected {\"version\": 1, \"mtas\": [...]}",
                              m->path);
        goto out;
    }
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        const char *name = json_string_value(json_object_get(item, "name"));
        const char *hash = json_string_value(json_object_get(item, "password_hash"));
        const char *why;
        size_t pos;
        if (name == NULL || hash == NULL || !admin_name_valid(name, &why) ||
            strlen(hash) >= X400MS_STORE_PASSWORD_HASH_MAX || find_index(m, name, &pos)) {
            rc = x400ms_error_set(err, X400MS_ECORRUPT,
                                  "%s: mtas[%zu]: expected a unique valid name and a password_hash",
                                  m->path, i);
            goto out;
        }
        rc = insert_at(m, pos, name, hash, (int64_t)json_integer_value(json_object_get(item, "created")),
                       err);
        if (rc < 0)
            goto out;
    }
out:
    json_decref(doc);
    return rc;
}

int admin_mta_accounts_open(const char *path, struct admin_mta_accounts **mtas_r,
                            struct x400ms_error *err)
{
    struct admin_mta_accounts *m = calloc(1, sizeof *m);
    if (m == NULL || (m->path = strdup(path)) == NULL) {
        free(m);
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    }
    pthread_mutex_init(&m->lock, NULL);
    int rc = load(m, err);
    if (rc < 0) {
        admin_mta_accounts_free(m);
        return rc;
    }
    *mtas_r = m;
    return 0;
}

void admin_mta_accounts_free(struct admin_mta_accounts *m)
{
    if (m == NULL)
        return;
    pthread_mutex_destroy(&m->lock);
    free(m->items);
    free(m->path);
    free(m);
}

void admin_mta_accounts_set_iterations(struct admin_mta_accounts *m, unsigned iterations)
{
    m->iterations = iterations;
}

/* Checks the name and password and hashes the password (before any lock
 * is taken: the KDF is slow). */
static int check_and_hash(const struct admin_mta_accounts *m, const char *name, const char *password,
                          size_t password_len, char hash[X400MS_STORE_PASSWORD_HASH_MAX],
                          struct x400ms_error *err)
{
    const char *why;
    if (name == NULL || !admin_name_valid(name, &why))
        return x400ms_error_set(err, X400MS_EINVAL, "name: %s", name == NULL ? "missing" : why);
    if (password == NULL || password_len == 0)
        return x400ms_error_set(err, X400MS_EINVAL, "password: must not be empty");
    return x400ms_password_hash(password, password_len, m->iterations, hash,
                                X400MS_STORE_PASSWORD_HASH_MAX, err);
}

static int mtas_add(void *ctx, const char *name, const char *password, size_t password_len,
                    struct x400ms_error *err)
{
    struct admin_mta_accounts *m = ctx;
    char hash[X400MS_STORE_PASSWORD_HASH_MAX];
    int rc = check_and_hash(m, name, password, password_len, hash, err);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&m->lock);
    size_t pos;
    if (find_index(m, name, &pos)) {
        rc = x400ms_error_set(err, X400MS_EEXIST, "MTA %s already exists", name);
        goto out;
    }
    rc = insert_at(m, pos, name, hash, admin_now(), err);
    if (rc < 0)
        goto out;
    rc = save(m, err);
    if (rc < 0) { /* not durable: undo */
        memmove(&m->items[pos], &m->items[pos + 1], (m->count - pos - 1) * sizeof *m->items);
        m->count--;
    }
out:
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mtas_set_password(void *ctx, const char *name, const char *password,
                             size_t password_len, struct x400ms_error *err)
{
    struct admin_mta_accounts *m = ctx;
    char hash[X400MS_STORE_PASSWORD_HASH_MAX], old[X400MS_STORE_PASSWORD_HASH_MAX];
    int rc = check_and_hash(m, name, password, password_len, hash, err);
    if (rc < 0)
        return rc;
    pthread_mutex_lock(&m->lock);
    size_t pos;
    if (!find_index(m, name, &pos)) {
        rc = x400ms_error_set(err, X400MS_ENOENT, "no MTA %s", name);
    } else {
        memcpy(old, m->items[pos].hash, sizeof old);
        snprintf(m->items[pos].hash, sizeof m->items[pos].hash, "%s", hash);
        rc = save(m, err);
        if (rc < 0)
            memcpy(m->items[pos].hash, old, sizeof old);
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mtas_remove(void *ctx, const char *name, struct x400ms_error *err)
{
    struct admin_mta_accounts *m = ctx;
    int rc;
    pthread_mutex_lock(&m->lock);
    size_t pos;
    if (!find_index(m, name, &pos)) {
        rc = x400ms_error_set(err, X400MS_ENOENT, "no MTA %s", name);
    } else {
        struct mta_account gone = m->items[pos];
        memmove(&m->items[pos], &m->items[pos + 1], (m->count - pos - 1) * sizeof *m->items);
        m->count--;
        rc = save(m, err);
        if (rc < 0) { /* not durable: put it back */
            memmove(&m->items[pos + 1], &m->items[pos], (m->count - pos) * sizeof *m->items);
            m->items[pos] = gone;
            m->count++;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mtas_list(void *ctx, x400ms_mta_account_visit_fn *fn, void *arg,
                     struct x400ms_error *err)
{
    struct admin_mta_accounts *m = ctx;
    int rc = 0;
    (void)err;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->count && rc == 0; i++) {
        struct x400ms_mta_account_info info = { .name = m->items[i].name,
                                                .created = m->items[i].created };
        rc = fn(arg, &info);
    }
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int mtas_verify(void *ctx, const char *name, const char *password, size_t password_len,
                       struct x400ms_error *err)
{
    struct admin_mta_accounts *m = ctx;
    char hash[X400MS_STORE_PASSWORD_HASH_MAX] = "";
    size_t pos;
    pthread_mutex_lock(&m->lock);
    bool known = name != NULL && find_index(m, name, &pos);
    if (known)
        memcpy(hash, m->items[pos].hash, sizeof hash);
    pthread_mutex_unlock(&m->lock);
    if (!known) {
        /* Spend the same KDF time as for a known name, so that the answer's
         * delay does not tell which MTA names exist. */
        pthread_mutex_lock(&m->lock);
        if (m->dummy_hash[0] == '\0')
            x400ms_password_hash("x", 1, m->iterations, m->dummy_hash, sizeof m->dummy_hash, NULL);
        memcpy(hash, m->dummy_hash, sizeof hash);
        pthread_mutex_unlock(&m->lock);
    }
    if (password == NULL)
        password = "", password_len = 0;
    int rc = x400ms_password_verify(password, password_len, hash, err);
    if (rc < 0 || !known)
        return x400ms_error_set(err, X400MS_EAUTH, "unknown MTA or wrong password");
    return 0;
}

const struct x400ms_mta_accounts_ops admin_mta_accounts_ops = {
    .size = sizeof(struct x400ms_mta_accounts_ops),
    .add = mtas_add,
    .set_password = mtas_set_password,
    .remove = mtas_remove,
    .list = mtas_list,
    .verify = mtas_verify,
};
