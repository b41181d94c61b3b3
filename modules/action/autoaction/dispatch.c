#define _GNU_SOURCE /* pthread_timedjoin_np */
/* The dispatcher: the entry hooks queue work, worker threads run the
 * types' handlers, a watchdog thread bounds their time and fires the
 * persisted timers. Delivery never waits for a handler: the hook only
 * copies the event into a job (X.413 12.3: auto-actions follow delivery).
 *
 * One exception, for latency (issue 8: delivery -> Alert p99 < 5 ms): a
 * type with X400MS_AUTOACTION_RUNS_INLINE (the project's auto-alert,
 * 2.6.4.4.1) runs on the delivering thread, right after the entry is
 * durable. Its handler only encodes the AlertArgument once and posts it to
 * the loops of the bound UAs (modules/protocol/p7/alert.c does no disk I/O
 * on that path), so it cannot stall delivery; going through a worker cost
 * one more thread wake-up per alert, which on a loaded machine is most of
 * the latency. A type without the flag runs on a worker, bounded. */
#define X400MS_LOG_MODULE "autoaction"
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "modules/action/autoaction/aa.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"

uint64_t aa_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static char *dup_or_null(const char *s)
{
    return s != NULL ? strdup(s) : NULL;
}

static void attrs_copy(struct aa_attrs *d, const struct x400ms_store_attrs *s)
{
    d->a = *s;
    d->a.content_type = d->content_type = dup_or_null(s->content_type);
    d->a.originator = d->originator = dup_or_null(s->originator);
    d->a.this_recipient = d->this_recipient = dup_or_null(s->this_recipient);
    d->a.subject = d->subject = dup_or_null(s->subject);
    d->a.children = NULL;
    d->a.n_children = 0;
    d->a.mts_id = NULL;
    d->a.mts_id_len = 0;
    if (s->mts_id_len > 0 && (d->mts_id = malloc(s->mts_id_len)) != NULL) {
        memcpy(d->mts_id, s->mts_id, s->mts_id_len);
        d->a.mts_id = d->mts_id;
        d->a.mts_id_len = s->mts_id_len;
    }
}

void aa_job_free(struct aa_job *j)
{
    if (j == NULL)
        return;
    json_decref(j->parameter);
    json_decref(j->timer);
    free(j->attrs.content_type);
    free(j->attrs.originator);
    free(j->attrs.this_recipient);
    free(j->attrs.subject);
    free(j->attrs.mts_id);
    free(j);
}

static void enqueue(struct aa *aa, struct aa_job *j)
{
    j->next = NULL;
    if (aa->tail != NULL)
        aa->tail->next = j;
    else
        aa->head = j;
    aa->tail = j;
    pthread_cond_signal(&aa->wake);
}

struct plugin_lookup {
    const char *type;
    const char *module;
};

static int plugin_visit(void *arg, const char *name, const char *module, const void *ops, void *ctx)
{
    (void)ctx;
    (void)ops;
    struct plugin_lookup *l = arg;
    if (strcmp(name, l->type) != 0)
        return 0;
    l->module = module;
    return 1;
}

/* True when the type asked for its delivery runs on the delivering thread
 * (see the top comment); a module built before the flags field has none. */
static bool runs_inline(const struct x400ms_autoaction_type_ops *t, unsigned what)
{
    return what == X400MS_AUTOACTION_ON_DELIVERY &&
           t->size >= offsetof(struct x400ms_autoaction_type_ops, flags) + sizeof t->flags &&
           (t->flags & X400MS_AUTOACTION_RUNS_INLINE) != 0;
}

static void run_job(struct aa *aa, struct aa_worker *w, struct aa_job *j);

/* entry-delivered / entry-submitted: on the store's thread, after the entry
 * is durable. Copies what the handlers need and returns at once (after
 * running the inline types). */
int aa_on_entry_event(void *ctx, const char *hook, void *event)
{
    struct aa *aa = ctx;
    const struct x400ms_store_event *ev = event;
    unsigned what = strcmp(hook, X400MS_HOOK_ENTRY_SUBMITTED) == 0 ? X400MS_AUTOACTION_ON_SUBMISSION
                                                                   : X400MS_AUTOACTION_ON_DELIVERY;
    if (ev == NULL || ev->mailbox == NULL || ev->attrs == NULL)
        return X400MS_HOOK_CONTINUE;
    struct aa_job *now_head = NULL, **now_tail = &now_head; /* run here, in order */
    pthread_mutex_lock(&aa->lock);
    struct aa_mailbox *m = aa->started && !aa->stopping ? aa_mailbox_get(aa, ev->mailbox, false) : NULL;
    json_t *regs = m ? json_object_get(m->doc, "registrations") : NULL;
    size_t i;
    json_t *r;
    json_array_foreach(regs, i, r) {
        const char *type = json_string_value(json_object_get(r, "type"));
        const struct x400ms_autoaction_type_ops *t = x400ms_autoaction_type_find(aa->core, type, NULL);
        if (t == NULL || (t->events & what) == 0 || t->run == NULL)
            continue;
        struct aa_job *j = calloc(1, sizeof *j);
        if (j == NULL) {
            X400MS_LOG_E("mailbox %s entry %u: out of memory, auto-action %s not run",
                         ev->mailbox, (unsigned)ev->seq, type);
            continue;
        }
        j->kind = AA_JOB_RUN;
        j->event = what;
        snprintf(j->mailbox, sizeof j->mailbox, "%s", ev->mailbox);
        snprintf(j->type, sizeof j->type, "%s", type);
        j->id = json_integer_value(json_object_get(r, "id"));
        j->parameter = json_incref(json_object_get(r, "parameter"));
        j->box = ev->box;
        j->seq = ev->seq;
        attrs_copy(&j->attrs, ev->attrs);
        j->attrs.a.seq = ev->seq;
        if (runs_inline(t, what)) {
            j->next = NULL;
            *now_tail = j;
            now_tail = &j->next;
        } else {
            enqueue(aa, j);
        }
    }
    pthread_mutex_unlock(&aa->lock);
    while (now_head != NULL) {
        struct aa_job *j = now_head;
        now_head = j->next;
        run_job(aa, NULL, j);
        aa_job_free(j);
    }
    return X400MS_HOOK_CONTINUE;
}

static int count_visit(void *arg, const struct x400ms_store_attrs *a)
{
    (void)a;
    (*(unsigned *)arg)++;
    return 0;
}

/* The registration's filter, evaluated by the store on this one entry.
 * 1 selected, 0 not, < 0 error. */
static int filter_selects(struct aa *aa, struct x400ms_store_mailbox *mb, const struct aa_job *j,
                          struct x400ms_error *err)
{
    const json_t *fj = json_object_get(j->parameter, "filter");
    if (fj == NULL || json_is_null(fj))
        return 1;
    const struct x400ms_store_filter *f;
    struct aa_filter_arena *arena;
    int rc = aa_filter_build(fj, &f, &arena, err);
    if (rc < 0)
        return rc;
    struct x400ms_store_selector sel = { .seq_from = j->seq, .seq_to = j->seq, .filter = f,
                                         .include_children = true };
    unsigned hits = 0;
    rc = aa->store->select(mb, j->box, &sel, count_visit, &hits, NULL, err);
    aa_filter_free(arena);
    return rc < 0 ? rc : hits > 0;
}

static void run_job(struct aa *aa, struct aa_worker *w, struct aa_job *j)
{
    void *tctx;
    const struct x400ms_autoaction_type_ops *t = x400ms_autoaction_type_find(aa->core, j->type, &tctx);
    struct plugin_lookup pl = { .type = j->type, .module = "?" };
    x400ms_service_foreach(aa->core, X400MS_SERVICE_AUTOACTION, plugin_visit, &pl);
    const char *plugin = pl.module ? pl.module : "?";
    if (t == NULL)
        return;
    struct x400ms_error err = { 0 };
    struct x400ms_store_mailbox *mb = NULL;
    if (aa->store->mailbox_open(aa->store_ctx, j->mailbox, &mb, &err) < 0) {
        X400MS_LOG_W("mailbox %s: %s not run: %s", j->mailbox, j->type, err.message);
        return;
    }
    struct x400ms_store_entry *cur = NULL;
    const struct x400ms_store_attrs *attrs = &j->attrs.a;
    int rc = 0;
    if (j->kind == AA_JOB_TIMER) {
        rc = aa->store->get(mb, j->box, j->seq, X400MS_STORE_GET_ATTRS, &cur, &err);
        if (rc == X400MS_ENOENT) {
            X400MS_LOG_I("mailbox %s: entry %u is gone; timer of %s id %lld dropped", j->mailbox,
                         (unsigned)j->seq, j->type, (long long)j->id);
            aa->store->mailbox_close(mb);
            return;
        }
        if (rc == 0)
            attrs = &cur->attrs;
    } else {
        rc = filter_selects(aa, mb, j, &err);
        if (rc == 0) {
            aa->store->mailbox_close(mb);
            return;
        }
        if (rc > 0)
            rc = 0;
    }
    if (rc == 0) {
        unsigned timeout = t->timeout_ms ? t->timeout_ms : X400MS_AUTOACTION_DEFAULT_TIMEOUT_MS;
        struct x400ms_autoaction_registration reg = { .mailbox = j->mailbox, .type = j->type,
                                                      .id = j->id, .parameter = j->parameter };
        struct x400ms_autoaction_run run = {
            .size = sizeof run, .core = aa->core, .reg = &reg, .event = j->event, .box = j->box,
            .seq = j->seq, .attrs = attrs,
            .timer_data = j->timer ? json_object_get(j->timer, "data") : NULL,
            .deadline_ms = aa_now_ms() + timeout,
        };
        pthread_mutex_lock(&aa->lock);
        if (w != NULL) { /* an inline run (w NULL) is not watched: see the top comment */
            w->busy = true;
            w->deadline_ms = run.deadline_ms;
            snprintf(w->plugin, sizeof w->plugin, "%s", plugin);
            snprintf(w->type, sizeof w->type, "%s", j->type);
            snprintf(w->what, sizeof w->what, "%s id %lld on mailbox %s entry %u", j->type,
                     (long long)j->id, j->mailbox, (unsigned)j->seq);
        }
        aa->runs++;
        pthread_mutex_unlock(&aa->lock);
        if (j->kind == AA_JOB_TIMER)
            rc = t->timer != NULL ? t->timer(tctx, &run, &err) : 0;
        else
            rc = t->run(tctx, &run, &err);
        pthread_mutex_lock(&aa->lock);
        bool late = false;
        if (w != NULL) {
            w->busy = false;
            late = w->abandoned;
        }
        if (rc < 0)
            aa->failures++;
        if (!late) { /* a late one was counted as a timeout by the watchdog */
            struct aa_type_stats *ts = aa_stats_of(aa, j->type);
            if (rc < 0)
                ts->failed++;
            else
                ts->ok++;
        }
        pthread_mutex_unlock(&aa->lock);
        if (late)
            X400MS_LOG_W("plugin %s: %s finished after its bound (rc %d)", plugin,
                         w != NULL ? w->what : j->type, rc);
    }
    if (rc < 0)
        X400MS_LOG_E("plugin %s: auto-action %s id %lld failed on mailbox %s entry %u: %s", plugin,
                     j->type, (long long)j->id, j->mailbox, (unsigned)j->seq,
                     err.message[0] ? err.message : x400ms_strerror(rc));
    if (cur != NULL)
        aa->store->entry_free(cur);
    aa->store->mailbox_close(mb);
}

/* A fired timer leaves the registry once handled (at-least-once). */
static void timer_done(struct aa *aa, struct aa_job *j)
{
    pthread_mutex_lock(&aa->lock);
    struct aa_mailbox *m = aa_mailbox_get(aa, j->mailbox, false);
    json_t *timers = m ? json_object_get(m->doc, "timers") : NULL;
    for (size_t i = 0; i < json_array_size(timers); i++)
        if (json_array_get(timers, i) == j->timer) {
            json_array_remove(timers, i);
            struct x400ms_error err = { 0 };
            if (aa_mailbox_save(aa, m, &err) < 0)
                X400MS_LOG_E("%s", err.message);
            break;
        }
    pthread_mutex_unlock(&aa->lock);
}

static void *worker_main(void *arg)
{
    struct aa_worker *w = arg;
    struct aa *aa = w->aa;
    pthread_mutex_lock(&aa->lock);
    for (;;) {
        while (aa->head == NULL && !aa->stopping && !w->abandoned)
            pthread_cond_wait(&aa->wake, &aa->lock);
        if (w->abandoned || (aa->stopping && aa->head == NULL))
            break;
        struct aa_job *j = aa->head;
        aa->head = j->next;
        if (aa->head == NULL)
            aa->tail = NULL;
        pthread_mutex_unlock(&aa->lock);
        run_job(aa, w, j);
        if (j->kind == AA_JOB_TIMER)
            timer_done(aa, j);
        aa_job_free(j);
        pthread_mutex_lock(&aa->lock);
    }
    pthread_mutex_unlock(&aa->lock);
    return NULL;
}

static int worker_spawn(struct aa *aa, struct x400ms_error *err)
{
    if (aa->n_worker_slots >= sizeof aa->workers / sizeof aa->workers[0])
        return x400ms_error_set(err, X400MS_ELIMIT, "too many abandoned workers");
    struct aa_worker *w = calloc(1, sizeof *w);
    if (w == NULL)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    w->aa = aa;
    if (pthread_create(&w->thread, NULL, worker_main, w) != 0) {
        free(w);
        return x400ms_error_set(err, X400MS_ENOMEM, "cannot start a worker thread");
    }
    w->joinable = true;
    aa->workers[aa->n_worker_slots++] = w;
    return 0;
}

/* With aa->lock held: queue every timer that is due. */
static void fire_due_timers(struct aa *aa, int64_t now)
{
    for (struct aa_mailbox *m = aa->mailboxes; m != NULL; m = m->next) {
        json_t *timers = json_object_get(m->doc, "timers");
        size_t i;
        json_t *t;
        json_array_foreach(timers, i, t) {
            if (json_object_get(t, "_fired") != NULL ||
                json_integer_value(json_object_get(t, "due")) > now)
                continue;
            const char *type = json_string_value(json_object_get(t, "type"));
            int64_t id = json_integer_value(json_object_get(t, "id"));
            json_t *param = NULL;
            json_t *regs = json_object_get(m->doc, "registrations");
            size_t k;
            json_t *r;
            json_array_foreach(regs, k, r)
                if (strcmp(json_string_value(json_object_get(r, "type")), type) == 0 &&
                    json_integer_value(json_object_get(r, "id")) == id)
                    param = json_object_get(r, "parameter");
            struct aa_job *j = calloc(1, sizeof *j);
            if (j == NULL)
                return;
            json_object_set_new(t, "_fired", json_true());
            j->kind = AA_JOB_TIMER;
            snprintf(j->mailbox, sizeof j->mailbox, "%s", m->name);
            snprintf(j->type, sizeof j->type, "%s", type);
            j->id = id;
            j->parameter = param ? json_incref(param) : json_object();
            j->timer = json_incref(t);
            j->box = (enum x400ms_store_box)json_integer_value(json_object_get(t, "box"));
            j->seq = (uint32_t)json_integer_value(json_object_get(t, "seq"));
            enqueue(aa, j);
        }
    }
}

/* Every 100 ms: abandon handlers past their bound (replacing their
 * worker), fire due timers. */
static void *watchdog_main(void *arg)
{
    struct aa *aa = arg;
    pthread_mutex_lock(&aa->lock);
    while (!aa->stopping) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&aa->tick, &aa->lock, &ts);
        if (aa->stopping)
            break;
        uint64_t now = aa_now_ms();
        for (size_t i = 0; i < aa->n_worker_slots; i++) {
            struct aa_worker *w = aa->workers[i];
            if (w->busy && !w->abandoned && now > w->deadline_ms) {
                w->abandoned = true;
                aa->timeouts++;
                aa_stats_of(aa, w->type)->timeout++;
                aa->n_abandoned++;
                X400MS_LOG_E("plugin %s: %s exceeded its time bound; handler abandoned, "
                             "the entry is kept", w->plugin, w->what);
                pthread_detach(w->thread);
                w->joinable = false;
                struct x400ms_error err = { 0 };
                if (worker_spawn(aa, &err) < 0)
                    X400MS_LOG_E("cannot replace the abandoned worker: %s", err.message);
            }
        }
        fire_due_timers(aa, (int64_t)time(NULL));
    }
    pthread_mutex_unlock(&aa->lock);
    return NULL;
}

int aa_dispatch_start(struct aa *aa, struct x400ms_error *err)
{
    pthread_mutex_lock(&aa->lock);
    int rc = 0;
    for (long long i = 0; i < aa->n_workers && rc == 0; i++)
        rc = worker_spawn(aa, err);
    if (rc == 0 && pthread_create(&aa->watchdog, NULL, watchdog_main, aa) != 0)
        rc = x400ms_error_set(err, X400MS_ENOMEM, "cannot start the watchdog thread");
    if (rc == 0)
        aa->started = true;
    pthread_mutex_unlock(&aa->lock);
    if (rc < 0)
        aa_dispatch_stop(aa);
    return rc;
}

/* Workers left running at shutdown (a handler past every bound): their
 * thread may still touch them, so they are never freed, and kept reachable
 * here on purpose (not a leak: LeakSanitizer sees them). */
static struct aa_worker *left_behind;

/* Lets the queued jobs finish (each bounded), joins the threads; abandoned
 * handlers are left running detached (their memory is not freed). */
void aa_dispatch_stop(struct aa *aa)
{
    pthread_mutex_lock(&aa->lock);
    bool had_watchdog = aa->started;
    aa->stopping = true;
    pthread_cond_broadcast(&aa->wake);
    pthread_cond_broadcast(&aa->tick);
    pthread_mutex_unlock(&aa->lock);
    if (had_watchdog)
        pthread_join(aa->watchdog, NULL);
    for (size_t i = 0; i < aa->n_worker_slots; i++) {
        struct aa_worker *w = aa->workers[i];
        pthread_mutex_lock(&aa->lock);
        bool joinable = w->joinable;
        pthread_mutex_unlock(&aa->lock);
        if (joinable) {
            /* a handler that hangs now must not hang the shutdown */
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += X400MS_AUTOACTION_DEFAULT_TIMEOUT_MS / 1000 + 1;
            if (pthread_timedjoin_np(w->thread, NULL, &ts) == 0) {
                free(w);
            } else {
                X400MS_LOG_E("plugin %s: %s still running at shutdown; left behind", w->plugin,
                             w->what);
                pthread_detach(w->thread);
                w->left_next = left_behind;
                left_behind = w;
            }
        } else {
            w->left_next = left_behind; /* abandoned earlier, still running or done */
            left_behind = w;
        }
        aa->workers[i] = NULL;
    }
    aa->n_worker_slots = 0;
    aa->started = false;
}
