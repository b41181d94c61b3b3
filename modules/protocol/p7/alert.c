/* Alert (X.413 8.2.8): the MS invokes it on the bound UA(s) when an
 * auto-alert registration (X.413 12.3, type 2.6.4.4.1) selects a newly
 * delivered entry. The "alert" auto-action module runs the hook
 * X400MS_HOOK_AUTO_ALERT (include/x400ms/autoaction.h) on the delivering
 * thread (modules/action/autoaction/dispatch.c runs it inline, for
 * latency); here the AlertArgument is encoded once on that thread and one
 * task per loop thread carries it to the associations bound to the mailbox
 * there.
 *
 * When no UA is bound, the alert is remembered for the mailbox and the next
 * MS-bind result says alert-indication TRUE (X.413 8.1.1.1.2.5); the bind
 * clears it. The pending set is a directory of empty marker files,
 * DATA/p7/alert-pending/<mailbox>, so it survives a restart: recording
 * creates the file (and syncs the directory), the bind that reports it
 * removes it, and unlink() succeeding exactly once makes the indication
 * reported exactly once. */
#define X400MS_LOG_MODULE "p7"
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "modules/protocol/p7/p7.h"
#include "x400ms/autoaction.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"
#include "x400ms/loop.h"

/* ---- the pending set on disk ---- */

/* DATA/p7/alert-pending/<mailbox>; false when the module has no data dir yet. */
static bool pending_path(const struct p7_module *m, const char *mailbox, char *out, size_t size)
{
    if (m->reg_dir == NULL || mailbox[0] == '\0' || mailbox[0] == '.' || strchr(mailbox, '/'))
        return false;
    return (size_t)snprintf(out, size, "%s/alert-pending/%s", m->reg_dir, mailbox) < size;
}

/* Records an alert-indication for mailbox; true when it is recorded. */
static bool pending_record(const struct p7_module *m, const char *mailbox)
{
    char path[4096];
    if (!pending_path(m, mailbox, path, sizeof path))
        return false;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST)
        return true; /* already pending (and synced when it was created) */
    if (fd < 0) {
        X400MS_LOG_W("mailbox %s: cannot record the alert-indication in %s: %s", mailbox, path,
                     strerror(errno));
        return false;
    }
    close(fd);
    /* the new name must reach the disk for the indication to survive a crash */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/alert-pending", m->reg_dir);
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return true;
}

/* Takes the pending indication of mailbox: true once per recording. */
static bool pending_take(const struct p7_module *m, const char *mailbox)
{
    char path[4096];
    if (!pending_path(m, mailbox, path, sizeof path))
        return false;
    if (unlink(path) == 0)
        return true;
    if (errno != ENOENT)
        X400MS_LOG_W("mailbox %s: cannot clear the alert-indication %s: %s", mailbox, path,
                     strerror(errno));
    return false;
}

int p7_alert_start(struct p7_module *m)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/alert-pending", m->reg_dir);
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        X400MS_LOG_E("cannot create %s: %s", dir, strerror(errno));
        return X400MS_EIO;
    }
    return 0;
}

/* One alert on its way to the bound UAs: the AlertArgument is encoded
 * once and shared by every invoke (each holds a reference until its
 * outcome: alert_answered). */
struct alert_shared {
    atomic_int refs;
    int64_t registration_id;
    uint32_t seq;
    size_t len;
    uint8_t arg[];
};

static void shared_unref(struct alert_shared *a)
{
    if (atomic_fetch_sub(&a->refs, 1) == 1)
        free(a);
}

/* The sessions of one loop that get the alert: one task posted per loop
 * (not per session), so 100 UAs on 2 loops cost 2 wake-ups. */
struct alert_target {
    struct p7_session *s;         /* not referenced: checked on arrival */
    uint64_t serial;
};

struct alert_batch {
    struct p7_module *m;
    struct x400ms_loop *loop;
    struct alert_shared *alert;
    size_t n, cap;
    struct alert_target t[];
};

/* X.413 8.2.8.1.2 leaves new-entry's attributes to the registration
 * (requested-attributes); without them: priority, originator, subject. */
static const char *const default_attributes[] = { "2.6.4.3.31", "2.6.4.3.27", "2.6.1.7.4", NULL };

/* AlertArgument ::= SET { alert-registration-identifier [0] INTEGER,
 * new-entry [2] EntryInformation OPTIONAL }. Returns a malloc'ed BER or NULL. */
static uint8_t *build_alert(const struct x400ms_alert_event *ev, size_t *len_r)
{
    const char *const *want = ev->requested_attributes ? ev->requested_attributes
                                                        : default_attributes;
    size_t n_want = 0;
    while (want[n_want] != NULL)
        n_want++;
    struct ber_writer aw;
    ber_writer_init(&aw);
    uint32_t count = 0;
    for (size_t i = n_want; i-- > 0;) { /* the writer builds backwards */
        uint8_t oid[P7_OID_MAX];
        int n = ber_oid_from_text(want[i], oid, sizeof oid);
        int idx = n > 0 ? p7_attr_find(ber_slice_make(oid, (size_t)n)) : -1;
        /* sequence-number is the EntryInformation's own field; content
         * and envelope are not alerted */
        if (idx < 0 || p7_attrs[idx].id == X400MS_ATTR_SEQ ||
            p7_attrs[idx].syntax == P7_SYN_CONTENT || p7_attrs[idx].syntax == P7_SYN_ENVELOPE)
            continue;
        if (p7_attr_push(&aw, idx, ev->box, ev->attrs, NULL) == 1)
            count++;
    }
    struct ms_alert_arg a;
    memset(&a, 0, sizeof a);
    a.registration_id = ev->registration_id;
    a.has_new_entry = true;
    a.new_entry.sequence_number = ev->seq;
    a.new_entry.has_attributes = count > 0;
    a.new_entry.attributes = mhs_seq_raw(ber_writer_slice(&aw), count);
    struct ber_writer w;
    ber_writer_init(&w);
    ms_alert_arg_encode(&w, &a);
    uint8_t *out = NULL;
    if (!w.error && !aw.error && (out = malloc(ber_writer_len(&w))) != NULL) {
        memcpy(out, ber_writer_data(&w), ber_writer_len(&w));
        *len_r = ber_writer_len(&w);
    }
    ber_writer_free(&w);
    ber_writer_free(&aw);
    return out;
}

static void alert_answered(void *arg, struct x400ms_assoc *a, const struct x400ms_outcome *o)
{
    (void)a;
    struct alert_shared *al = arg;
    p7_metrics_count(P7_MOP_ALERT, o->kind == X400MS_OUTCOME_RESULT ? P7_MRES_OK
                                   : o->kind == X400MS_OUTCOME_REJECT ? P7_MRES_REJECT
                                                                      : P7_MRES_ERROR);
    if (o->kind != X400MS_OUTCOME_RESULT)
        X400MS_LOG_I("mailbox alert %lld (entry %u): the UA did not accept the Alert (outcome %d)",
                     (long long)al->registration_id, al->seq, (int)o->kind);
    shared_unref(al);
}

static int target_cmp(const void *x, const void *y)
{
    uintptr_t a = (uintptr_t)((const struct alert_target *)x)->s;
    uintptr_t b = (uintptr_t)((const struct alert_target *)y)->s;
    return a < b ? -1 : a > b;
}

/* On the loop: invokes Alert on each target still bound (same session and
 * serial). A target is never dereferenced unless found on the bound list:
 * sessions leave the list on their own loop thread only (this one), so
 * one that is found cannot end before its invoke. One walk of the list,
 * each member looked up in the sorted targets. */
static void alert_deliver(struct alert_batch *b)
{
    struct p7_module *m = b->m;
    struct alert_shared *al = b->alert;
    qsort(b->t, b->n, sizeof b->t[0], target_cmp);
    size_t live = 0;
    pthread_mutex_lock(&m->alert_lock);
    for (struct p7_session *s = m->bound_list; s != NULL && live < b->n; s = s->bound_next) {
        if (s->loop != b->loop)
            continue;
        struct alert_target key = { s, 0 };
        struct alert_target *t = bsearch(&key, b->t, b->n, sizeof b->t[0], target_cmp);
        if (t != NULL && t->serial == s->serial) {
            t->serial = 0; /* found: invoke below (serials start at 1) */
            live++;
        }
    }
    pthread_mutex_unlock(&m->alert_lock);
    for (size_t i = 0; i < b->n; i++) {
        struct p7_session *s = b->t[i].s;
        if (b->t[i].serial != 0 || s->a == NULL)
            continue;
        atomic_fetch_add(&al->refs, 1);
        int rc = x400ms_assoc_invoke(s->a, MS_OP_ALERT, X400MS_BYTES(al->arg, al->len), NULL,
                                     alert_answered, al, NULL);
        if (rc < 0) {
            X400MS_LOG_W("peer %s: cannot invoke Alert: %s", s->peer, x400ms_strerror(rc));
            shared_unref(al);
            continue;
        }
        X400MS_LOG_D("peer %s: Alert %lld for entry %u of mailbox %s", s->peer,
                     (long long)al->registration_id, al->seq, s->mailbox);
    }
    shared_unref(al);
    free(b);
}

/* Adds s to the batch of its loop (batches[0..*n_batches)). */
static bool batch_add(struct alert_batch **batches, size_t *n_batches, size_t max_batches,
                      struct p7_module *m, struct alert_shared *al, struct p7_session *s)
{
    size_t i = 0;
    while (i < *n_batches && batches[i]->loop != s->loop)
        i++;
    if (i == *n_batches) {
        if (i == max_batches)
            return false;
        struct alert_batch *b = malloc(sizeof *b + 8 * sizeof b->t[0]);
        if (b == NULL)
            return false;
        b->m = m;
        b->loop = s->loop;
        b->alert = al;
        b->n = 0;
        b->cap = 8;
        batches[(*n_batches)++] = b;
    }
    struct alert_batch *b = batches[i];
    if (b->n == b->cap) {
        struct alert_batch *nb = realloc(b, sizeof *b + 2 * b->cap * sizeof b->t[0]);
        if (nb == NULL)
            return false;
        nb->cap *= 2;
        batches[i] = b = nb;
    }
    b->t[b->n].s = s;
    b->t[b->n].serial = s->serial;
    b->n++;
    return true;
}

/* X400MS_HOOK_AUTO_ALERT: on the delivering thread (the auto-action
 * dispatcher runs the "alert" module inline, right after the entry is
 * durable): encodes, then posts; no disk I/O while a UA is bound. */
static int alert_hook(void *ctx, const char *hook, void *event)
{
    (void)hook;
    struct p7_module *m = ctx;
    struct x400ms_alert_event *ev = event;
    if (ev == NULL || ev->size < sizeof *ev || ev->mailbox == NULL)
        return X400MS_HOOK_CONTINUE;
    size_t len = 0;
    uint8_t *arg = build_alert(ev, &len);
    struct alert_shared *al = arg != NULL ? malloc(sizeof *al + len) : NULL;
    if (al == NULL) {
        free(arg);
        return X400MS_ENOMEM;
    }
    atomic_init(&al->refs, 1); /* this function's */
    al->registration_id = ev->registration_id;
    al->seq = ev->seq;
    al->len = len;
    memcpy(al->arg, arg, len);
    free(arg);

    enum { MAX_LOOPS = 64 };
    struct alert_batch *batches[MAX_LOOPS];
    size_t n_batches = 0;
    unsigned alerted = 0;
    pthread_mutex_lock(&m->alert_lock);
    for (struct p7_session *s = m->bound_list; s != NULL; s = s->bound_next)
        if (strcmp(s->mailbox, ev->mailbox) == 0 && batch_add(batches, &n_batches, MAX_LOOPS, m, al, s))
            alerted++;
    for (size_t i = 0; i < n_batches; i++) {
        atomic_fetch_add(&al->refs, 1); /* the batch's */
        if (x400ms_loop_post(batches[i]->loop, alert_deliver, batches[i]) < 0) {
            alerted -= (unsigned)batches[i]->n;
            shared_unref(al);
            free(batches[i]);
        }
    }
    /* under the lock: a bind taking the indication sees it or gets the Alert */
    if (alerted == 0)
        ev->indication_recorded = pending_record(m, ev->mailbox);
    pthread_mutex_unlock(&m->alert_lock);
    shared_unref(al);
    if (alerted == 0 && ev->indication_recorded)
        X400MS_LOG_I("alert %lld (entry %u) with no UA bound: alert-indication recorded for "
                     "mailbox %s", (long long)ev->registration_id, ev->seq, ev->mailbox);
    ev->alerted += alerted;
    return X400MS_HOOK_CONTINUE;
}

int p7_alert_init(struct p7_module *m, struct x400ms_error *err)
{
    pthread_mutex_init(&m->alert_lock, NULL);
    return x400ms_hook_add(m->core, X400MS_HOOK_AUTO_ALERT, 0, alert_hook, m, err);
}

void p7_alert_fini(struct p7_module *m)
{
    pthread_mutex_destroy(&m->alert_lock);
}

bool p7_alert_session_bound(struct p7_session *s)
{
    struct p7_module *m = s->m;
    bool pending = false;
    pthread_mutex_lock(&m->alert_lock);
    s->serial = ++m->next_serial;
    s->loop = x400ms_assoc_loop(s->a);
    s->bound_next = m->bound_list;
    m->bound_list = s;
    s->on_bound_list = true;
    pending = pending_take(m, s->mailbox);
    pthread_mutex_unlock(&m->alert_lock);
    return pending;
}

void p7_alert_session_end(struct p7_session *s)
{
    if (!s->on_bound_list)
        return;
    struct p7_module *m = s->m;
    pthread_mutex_lock(&m->alert_lock);
    for (struct p7_session **pp = &m->bound_list; *pp != NULL; pp = &(*pp)->bound_next) {
        if (*pp == s) {
            *pp = s->bound_next;
            break;
        }
    }
    s->on_bound_list = false;
    pthread_mutex_unlock(&m->alert_lock);
}
