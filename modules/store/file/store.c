/* The file store: root directory, mailbox registry and table, maintenance
 * thread (index flush, ageing, background checks). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fsutil.h"
#include "store_file.h"
#define X400MS_LOG_MODULE "store_file"
#include "x400ms/log.h"

#define REGISTRY "mailboxes.json"

bool sf_name_valid(const char *name)
{
    size_t len = name ? strlen(name) : 0;
    if (len == 0 || len > X400MS_STORE_NAME_MAX || name[0] == '.')
        return false;
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* ---- mailbox objects ---- */

static struct x400ms_store_mailbox *mailbox_new(struct sf_store *store, const struct x400ms_store_mailbox_info *info)
{
    struct x400ms_store_mailbox *mb = calloc(1, sizeof *mb);
    pthread_rwlockattr_t attr;

    if (!mb)
        return NULL;
    mb->store = store;
    snprintf(mb->name, sizeof mb->name, "%s", info->name);
    mb->or_address = strdup(info->or_address ? info->or_address : "");
    mb->password_hash = strdup(info->password_hash ? info->password_hash : "");
    if (!mb->or_address || !mb->password_hash) {
        free(mb->or_address);
        free(mb->password_hash);
        free(mb);
        return NULL;
    }
    mb->settings = info->settings;
    mb->refs = 1; /* the table's */
    mb->dir_fd = -1;
    /* Writers (restore, rebuild, delete) must not starve behind a stream of
     * deliveries. */
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&mb->gate, &attr);
    pthread_rwlockattr_destroy(&attr);
    pthread_mutex_init(&mb->mutex, NULL);
    pthread_cond_init(&mb->written_cv, NULL);
    pthread_mutex_init(&mb->flush_mu, NULL);
    pthread_mutex_init(&mb->load_mu, NULL);
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        pthread_rwlock_init(&mb->box[box].lock, NULL);
        pthread_mutex_init(&mb->box[box].settle_mu, NULL);
        sf_index_init(&mb->box[box].idx);
        mb->box[box].dir_fd = -1;
    }
    return mb;
}

static void mailbox_free(struct x400ms_store_mailbox *mb)
{
    sf_mailbox_unload(mb);
    for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
        pthread_rwlock_destroy(&mb->box[box].lock);
        pthread_mutex_destroy(&mb->box[box].settle_mu);
    }
    pthread_rwlock_destroy(&mb->gate);
    pthread_mutex_destroy(&mb->mutex);
    pthread_cond_destroy(&mb->written_cv);
    pthread_mutex_destroy(&mb->flush_mu);
    pthread_mutex_destroy(&mb->load_mu);
    for (size_t i = 0; i < mb->n_deferred; i++)
        free(mb->deferred[i]);
    free(mb->deferred);
    free(mb->inflight);
    free(mb->or_address);
    free(mb->password_hash);
    free(mb);
}

void sf_mailbox_release(struct x400ms_store_mailbox *mb)
{
    if (mb && __atomic_sub_fetch(&mb->refs, 1, __ATOMIC_ACQ_REL) == 0)
        mailbox_free(mb);
}

static ptrdiff_t table_find(struct sf_store *store, const char *name, size_t *ins_r)
{
    size_t lo = 0, hi = store->n_table;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(store->table[mid]->name, name);
        if (c == 0)
            return (ptrdiff_t)mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (ins_r)
        *ins_r = lo;
    return -1;
}

int sf_mailbox_acquire(struct sf_store *store, const char *name, struct x400ms_store_mailbox **mb_r,
                       struct x400ms_error *err)
{
    struct x400ms_store_mailbox *mb = NULL;
    ptrdiff_t i;
    int rc = 0;

    if (!name)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox name missing");
    pthread_rwlock_rdlock(&store->table_lock);
    if ((i = table_find(store, name, NULL)) >= 0) {
        mb = store->table[i];
        __atomic_add_fetch(&mb->refs, 1, __ATOMIC_ACQ_REL);
    }
    pthread_rwlock_unlock(&store->table_lock);
    if (!mb)
        return x400ms_error_set(err, X400MS_ENOENT, "no mailbox '%s'", name);
    pthread_mutex_lock(&mb->load_mu);
    if (!mb->loaded)
        rc = sf_mailbox_load(mb, err);
    pthread_mutex_unlock(&mb->load_mu);
    if (rc) {
        sf_mailbox_release(mb);
        return rc;
    }
    if (mb->check_pending) {
        pthread_mutex_lock(&store->maint_mu);
        pthread_cond_signal(&store->maint_cv);
        pthread_mutex_unlock(&store->maint_mu);
    }
    *mb_r = mb;
    return 0;
}

int sf_table_snapshot(struct sf_store *store, struct x400ms_store_mailbox ***mbs_r, size_t *n_r)
{
    pthread_rwlock_rdlock(&store->table_lock);
    struct x400ms_store_mailbox **mbs = malloc((store->n_table + 1) * sizeof *mbs);
    if (!mbs) {
        pthread_rwlock_unlock(&store->table_lock);
        return X400MS_ENOMEM;
    }
    for (size_t i = 0; i < store->n_table; i++) {
        mbs[i] = store->table[i];
        __atomic_add_fetch(&mbs[i]->refs, 1, __ATOMIC_ACQ_REL);
    }
    *n_r = store->n_table;
    pthread_rwlock_unlock(&store->table_lock);
    *mbs_r = mbs;
    return 0;
}

/* ---- registry ---- */

int sf_registry_save(struct sf_store *store, struct x400ms_error *err)
{
    json_t *root = json_object(), *arr = json_array();
    char *text;
    int rc;

    json_object_set_new(root, "version", json_integer(1));
    pthread_rwlock_rdlock(&store->table_lock);
    for (size_t i = 0; i < store->n_table; i++) {
        struct x400ms_store_mailbox *mb = store->table[i];
        pthread_mutex_lock(&mb->mutex);
        json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:b, s:b, s:b, s:I, s:I}",
            "name", mb->name, "or_address", mb->or_address, "password_hash", mb->password_hash,
            "deletion_prohibited", mb->settings.deletion_prohibited,
            "delete_new_prohibited", mb->settings.delete_new_prohibited,
            "outbox_enabled", mb->settings.outbox_enabled,
            "max_age_inbox", (json_int_t)mb->settings.max_age[X400MS_STORE_INBOX],
            "max_age_outbox", (json_int_t)mb->settings.max_age[X400MS_STORE_OUTBOX]));
        pthread_mutex_unlock(&mb->mutex);
    }
    pthread_rwlock_unlock(&store->table_lock);
    json_object_set_new(root, "mailboxes", arr);
    text = json_dumps(root, JSON_INDENT(1) | JSON_SORT_KEYS);
    json_decref(root);
    if (!text)
        return x400ms_error_set(err, X400MS_ENOMEM, "registry: out of memory");
    rc = sf_write_atomic(store->root_fd, REGISTRY, text, strlen(text), err);
    free(text);
    return rc;
}

static int table_insert(struct sf_store *store, struct x400ms_store_mailbox *mb)
{
    size_t ins = 0;
    if (table_find(store, mb->name, &ins) >= 0)
        return X400MS_EEXIST;
    if (store->n_table == store->cap_table) {
        size_t cap = store->cap_table ? store->cap_table * 2 : 64;
        struct x400ms_store_mailbox **t = realloc(store->table, cap * sizeof *t);
        if (!t)
            return X400MS_ENOMEM;
        store->table = t;
        store->cap_table = cap;
    }
    memmove(&store->table[ins + 1], &store->table[ins], (store->n_table - ins) * sizeof *store->table);
    store->table[ins] = mb;
    store->n_table++;
    return 0;
}

static int registry_load(struct sf_store *store, struct x400ms_error *err)
{
    json_error_t jerr;
    json_t *root, *arr, *m;
    size_t i;
    int rc = 0;

    char *text;
    rc = sf_read_file(store->root_fd, REGISTRY, &text, NULL, err);
    if (rc == X400MS_ENOENT)
        return sf_registry_save(store, err); /* a new store */
    if (rc)
        return rc;
    root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
    free(text);
    if (!root || !json_is_array(arr = json_object_get(root, "mailboxes"))) {
        json_decref(root);
        return x400ms_error_set(err, X400MS_ECORRUPT, "%s/%s: not a mailbox registry (line %d: %s)",
                                store->root, REGISTRY, jerr.line, root ? "no mailboxes array" : jerr.text);
    }
    json_array_foreach(arr, i, m) {
        struct x400ms_store_mailbox_info info = { 0 };
        json_int_t age_in = 0, age_out = 0;
        int dp = 0, dnp = 0, ob = 1;
        if (json_unpack_ex(m, &jerr, 0, "{s:s, s?s, s?s, s?b, s?b, s?b, s?I, s?I}",
                           "name", &info.name, "or_address", &info.or_address,
                           "password_hash", &info.password_hash, "deletion_prohibited", &dp,
                           "delete_new_prohibited", &dnp, "outbox_enabled", &ob,
                           "max_age_inbox", &age_in, "max_age_outbox", &age_out) != 0 ||
            !sf_name_valid(info.name)) {
            rc = x400ms_error_set(err, X400MS_ECORRUPT, "%s/%s: mailboxes[%zu]: %s", store->root, REGISTRY,
                                  i, jerr.text[0] ? jerr.text : "bad name");
            break;
        }
        info.settings = (struct x400ms_store_settings){
            .deletion_prohibited = dp, .delete_new_prohibited = dnp, .outbox_enabled = ob,
            .max_age = { age_in, age_out } };
        struct x400ms_store_mailbox *mb = mailbox_new(store, &info);
        if (!mb || (rc = table_insert(store, mb)) != 0) {
            if (mb)
                mailbox_free(mb);
            rc = x400ms_error_set(err, mb ? X400MS_ECORRUPT : X400MS_ENOMEM, "%s/%s: mailboxes[%zu] '%s': %s",
                                  store->root, REGISTRY, i, info.name, mb ? "duplicate" : "out of memory");
            break;
        }
    }
    json_decref(root);
    return rc;
}

int sf_mailbox_create_locked(struct sf_store *store, const struct x400ms_store_mailbox_info *info,
                             bool persist, struct x400ms_error *err)
{
    struct x400ms_store_mailbox *mb;
    int rc;

    if (!info || !sf_name_valid(info->name))
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox name '%s': expected 1 to %d of [A-Za-z0-9._-], "
                                "not starting with '.'", info && info->name ? info->name : "",
                                X400MS_STORE_NAME_MAX);
    if (info->or_address && strlen(info->or_address) > X400MS_STORE_ADDRESS_MAX)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox %s: or_address longer than %d bytes",
                                info->name, X400MS_STORE_ADDRESS_MAX);
    if (info->password_hash && strlen(info->password_hash) >= X400MS_STORE_PASSWORD_HASH_MAX)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox %s: password_hash too long", info->name);
    if (info->settings.max_age[0] < X400MS_STORE_MAX_AGE_NEVER ||
        info->settings.max_age[1] < X400MS_STORE_MAX_AGE_NEVER)
        return x400ms_error_set(err, X400MS_EINVAL, "mailbox %s: max_age must be seconds, 0 or never (-1)",
                                info->name);
    if (!(mb = mailbox_new(store, info)))
        return x400ms_error_set(err, X400MS_ENOMEM, "mailbox %s: out of memory", info->name);
    pthread_rwlock_wrlock(&store->table_lock);
    for (size_t i = 0; i < store->n_table; i++) {
        if (info->or_address && *info->or_address &&
            strcasecmp(store->table[i]->or_address, info->or_address) == 0) {
            pthread_rwlock_unlock(&store->table_lock);
            rc = x400ms_error_set(err, X400MS_EEXIST, "mailbox %s: O/R address already used by mailbox %s",
                                  info->name, store->table[i]->name);
            mailbox_free(mb);
            return rc;
        }
    }
    rc = table_insert(store, mb);
    pthread_rwlock_unlock(&store->table_lock);
    if (rc) {
        mailbox_free(mb);
        return x400ms_error_set(err, rc, "mailbox %s: %s", info->name,
                                rc == X400MS_EEXIST ? "already exists" : "out of memory");
    }
    /* Directory first (an empty directory without registry entry is
     * harmless), then the registry. */
    if ((rc = sf_mkdirat(store->mailboxes_fd, info->name, err)) == 0 &&
        (rc = sf_fsync_dir(store->mailboxes_fd)) == 0 && persist)
        rc = sf_registry_save(store, err);
    if (rc) {
        pthread_rwlock_wrlock(&store->table_lock);
        ptrdiff_t i = table_find(store, info->name, NULL);
        if (i >= 0) {
            memmove(&store->table[i], &store->table[i + 1], (store->n_table - (size_t)i - 1) * sizeof mb);
            store->n_table--;
        }
        pthread_rwlock_unlock(&store->table_lock);
        sf_mailbox_release(mb);
        if (err && !err->message[0])
            x400ms_error_set(err, rc, "mailbox %s: cannot create its directory", info->name);
        return rc;
    }
    return 0;
}

/* ---- maintenance ---- */

int sf_store_flush(struct sf_store *store, struct x400ms_error *err)
{
    struct x400ms_store_mailbox **mbs;
    size_t n;
    int rc = 0;

    if (sf_table_snapshot(store, &mbs, &n) != 0)
        return x400ms_error_set(err, X400MS_ENOMEM, "flush: out of memory");
    for (size_t i = 0; i < n; i++) {
        pthread_mutex_lock(&mbs[i]->load_mu);
        if (mbs[i]->loaded) {
            int r = sf_mailbox_flush(mbs[i], err);
            if (r && !rc)
                rc = r;
        }
        pthread_mutex_unlock(&mbs[i]->load_mu);
        sf_mailbox_release(mbs[i]);
    }
    free(mbs);
    /* Deliveries since the last checkpoint become durable in their files;
     * the journal starts over (journal.c). */
    int r = sf_commit_checkpoint(store);
    if (r && !rc)
        rc = x400ms_error_set(err, r, "journal checkpoint failed: %s", x400ms_strerror(r));
    return rc;
}

int sf_store_age(struct sf_store *store, int64_t now, uint64_t *deleted_r)
{
    struct x400ms_store_mailbox **mbs;
    uint64_t deleted = 0;
    size_t n;

    if (sf_table_snapshot(store, &mbs, &n) != 0)
        return X400MS_ENOMEM;
    for (size_t i = 0; i < n; i++) {
        struct x400ms_store_mailbox *mb = mbs[i], *h;
        int64_t max_age[X400MS_STORE_BOX_COUNT];
        pthread_mutex_lock(&mb->mutex);
        memcpy(max_age, mb->settings.max_age, sizeof max_age);
        pthread_mutex_unlock(&mb->mutex);
        /* A mailbox's own max_age wins; the deployment default
         * (config default_max_age) covers the mailboxes that set none. */
        for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++)
            if (!max_age[box])
                max_age[box] = store->opt.default_max_age_s[box];
            else if (max_age[box] == X400MS_STORE_MAX_AGE_NEVER)
                max_age[box] = 0; /* opted out of the default: never aged */
        if ((max_age[0] || max_age[1]) && sf_mailbox_acquire(store, mb->name, &h, NULL) == 0) {
            for (unsigned box = 0; box < X400MS_STORE_BOX_COUNT; box++) {
                struct sf_box *b = &mb->box[box];
                uint32_t *seqs = NULL;
                size_t n_seqs = 0;
                if (!max_age[box])
                    continue;
                pthread_rwlock_rdlock(&b->lock);
                seqs = malloc((b->idx.live + 1) * sizeof *seqs);
                for (size_t pos = 0; seqs && pos < b->idx.n; pos++) {
                    const struct sf_rec *r = &b->idx.recs[pos];
                    if (!(r->flags & SF_REC_DELETED) && r->creation_time < now - max_age[box])
                        seqs[n_seqs++] = r->seq;
                }
                pthread_rwlock_unlock(&b->lock);
                for (size_t k = 0; k < n_seqs; k++)
                    if (sf_entry_delete(mb, box, seqs[k], true, NULL) == 0)
                        deleted++;
                free(seqs);
                if (n_seqs)
                    X400MS_LOG_I("mailbox %s: %s: %zu entries older than %llds aged out", mb->name,
                                 sf_box_dir(box), n_seqs, (long long)max_age[box]);
            }
            sf_mailbox_release(h);
        }
        sf_mailbox_release(mb);
    }
    free(mbs);
    if (deleted_r)
        *deleted_r = deleted;
    return 0;
}

static uint64_t mono_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec;
}

static void run_pending_checks(struct sf_store *store)
{
    struct x400ms_store_mailbox **mbs;
    size_t n;
    if (sf_table_snapshot(store, &mbs, &n) != 0)
        return;
    for (size_t i = 0; i < n; i++) {
        bool stop;
        pthread_mutex_lock(&store->maint_mu);
        stop = store->maint_stop;
        pthread_mutex_unlock(&store->maint_mu);
        if (!stop && mbs[i]->check_pending && mbs[i]->loaded)
            sf_mailbox_check(mbs[i], NULL, NULL);
        sf_mailbox_release(mbs[i]);
    }
    free(mbs);
}

static void *maint_main(void *arg)
{
    struct sf_store *store = arg;
    uint64_t next_flush = mono_s() + (uint64_t)store->opt.flush_interval_s;
    uint64_t next_age = mono_s() + (uint64_t)store->opt.ageing_interval_s;

    pthread_mutex_lock(&store->maint_mu);
    while (!store->maint_stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&store->maint_cv, &store->maint_mu, &until);
        if (store->maint_stop)
            break;
        pthread_mutex_unlock(&store->maint_mu);
        uint64_t now = mono_s();
        run_pending_checks(store);
        if (store->opt.flush_interval_s && now >= next_flush) {
            sf_store_flush(store, NULL);
            next_flush = now + (uint64_t)store->opt.flush_interval_s;
        }
        if (store->opt.ageing_interval_s && now >= next_age) {
            sf_store_age(store, (int64_t)time(NULL), NULL);
            next_age = now + (uint64_t)store->opt.ageing_interval_s;
        }
        pthread_mutex_lock(&store->maint_mu);
    }
    pthread_mutex_unlock(&store->maint_mu);
    return NULL;
}

/* ---- open / close ---- */

int sf_store_new(const struct sf_options *opt, struct sf_store **store_r, struct x400ms_error *err)
{
    struct sf_store *store;

    if (!opt->root || !*opt->root)
        return x400ms_error_set(err, X400MS_EINVAL, "root: missing");
    if (!(store = calloc(1, sizeof *store)) || !(store->root = strdup(opt->root))) {
        free(store);
        return x400ms_error_set(err, X400MS_ENOMEM, "store: out of memory");
    }
    store->opt = *opt;
    store->opt.root = store->root;
    store->root_fd = store->mailboxes_fd = -1;
    store->journal.fd = -1;
    pthread_rwlock_init(&store->table_lock, NULL);
    pthread_mutex_init(&store->admin_lock, NULL);
    pthread_mutex_init(&store->maint_mu, NULL);
    pthread_cond_init(&store->maint_cv, NULL);
    pthread_mutex_init(&store->settle_mu, NULL);
    pthread_cond_init(&store->settle_cv, NULL);
    *store_r = store;
    return 0;
}

int sf_store_start(struct sf_store *store, struct x400ms_error *err)
{
    int rc = 0;

    if ((rc = sf_mkdir_p(store->root, err)) != 0)
        return rc;
    store->root_fd = open(store->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (store->root_fd < 0 || (rc = sf_mkdirat(store->root_fd, "mailboxes", err)) != 0 ||
        (store->mailboxes_fd = openat(store->root_fd, "mailboxes", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        if (!rc)
            rc = x400ms_error_set(err, sf_errno_code(errno), "store root %s: %s", store->root, strerror(errno));
        return rc;
    }
    struct sf_journal_replay rep;
    if ((rc = registry_load(store, err)) != 0 || (rc = sf_journal_open(store, &rep, err)) != 0 ||
        (rc = sf_committer_start(store, err)) != 0 ||
        (rc = sf_settle_start(store, err)) != 0)
        return rc;
    if (pthread_create(&store->maint, NULL, maint_main, store) != 0)
        return x400ms_error_set(err, X400MS_ENOMEM, "cannot start the store maintenance thread");
    store->maint_running = true;
    X400MS_LOG_I("file store at %s: %zu mailboxes", store->root, store->n_table);
    return 0;
}

int sf_store_open(const struct sf_options *opt, struct sf_store **store_r, struct x400ms_error *err)
{
    struct sf_store *store;
    int rc = sf_store_new(opt, &store, err);
    if (rc)
        return rc;
    if ((rc = sf_store_start(store, err)) != 0) {
        sf_store_close(store);
        return rc;
    }
    *store_r = store;
    return 0;
}

void sf_store_stop(struct sf_store *store)
{
    store->closing = true;
    if (store->maint_running) {
        pthread_mutex_lock(&store->maint_mu);
        store->maint_stop = true;
        pthread_cond_signal(&store->maint_cv);
        pthread_mutex_unlock(&store->maint_mu);
        pthread_join(store->maint, NULL);
        store->maint_running = false;
    }
    sf_committer_stop(store);
    sf_settle_stop(store); /* the flush below does the renames still pending */
    pthread_rwlock_rdlock(&store->table_lock);
    for (size_t i = 0; i < store->n_table; i++) {
        struct x400ms_error e = { 0 };
        struct x400ms_store_mailbox *mb = store->table[i];
        pthread_mutex_lock(&mb->load_mu);
        if (mb->loaded && sf_mailbox_close_clean(mb, &e) != 0)
            X400MS_LOG_E("mailbox %s: not closed cleanly (%s): it is reconciled at the next start",
                         mb->name, e.message);
        pthread_mutex_unlock(&mb->load_mu);
    }
    pthread_rwlock_unlock(&store->table_lock);
}

void sf_store_close(struct sf_store *store)
{
    if (!store)
        return;
    if (!store->closing)
        sf_store_stop(store);
    for (size_t i = 0; i < store->n_table; i++)
        sf_mailbox_release(store->table[i]);
    free(store->table);
    sf_journal_close(store);
    if (store->mailboxes_fd >= 0)
        close(store->mailboxes_fd);
    if (store->root_fd >= 0)
        close(store->root_fd);
    pthread_rwlock_destroy(&store->table_lock);
    pthread_mutex_destroy(&store->admin_lock);
    pthread_mutex_destroy(&store->maint_mu);
    pthread_cond_destroy(&store->maint_cv);
    pthread_mutex_destroy(&store->settle_mu);
    pthread_cond_destroy(&store->settle_cv);
    free(store->root);
    free(store);
}
