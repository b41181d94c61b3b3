/* Alert (X.413 8.2.8): the MS invokes it on the bound UA(s) when an
 * auto-alert registration (X.413 12.3, type 2.6.4.4.1) selects a newly
 * delivered entry. The "alert" auto-action module runs the hook
 * X400MS_HOOK_AUTO_ALERT (include/x400ms/autoaction.h) on a dispatcher
 * worker thread; here the AlertArgument is built on that thread and posted
 * to the loop of every association bound to the mailbox.
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
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
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

/* An AlertArgument on its way to one session's loop. */
struct alert_post {
    struct p7_module *m;
    struct p7_session *s;         /* not referenced: checked by serial on arrival */
    uint64_t serial;
    int64_t registration_id;
    uint32_t seq;
    size_t len;
    uint8_t arg[];
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
    struct alert_post *p = arg;
    p7_metrics_count(P7_MOP_ALERT, o->kind == X400MS_OUTCOME_RESULT ? P7_MRES_OK
                                   : o->kind == X400MS_OUTCOME_REJECT ? P7_MRES_REJECT
                                                                      : P7_MRES_ERROR);
    if (o->kind != X400MS_OUTCOME_RESULT)
        X400MS_LOG_I("mailbox alert %lld (entry %u): the UA did not accept the Alert (outcome %d)",
                     (long long)p->registration_id, p->seq, (int)o->kind);
    free(p);
}

/* On the session's loop: still the same bound session? then invoke. */
static void alert_deliver(struct alert_post *p)
{
    struct p7_module *m = p->m;
    bool alive = false;
    pthread_mutex_lock(&m->alert_lock);
    for (struct p7_session *s = m->bound_list; s != NULL; s = s->bound_next)
        if (s == p->s && s->serial == p->serial)
            alive = true;
    pthread_mutex_unlock(&m->alert_lock);
    /* The session is removed from the list on this thread only, so it
     * cannot end between the check and the invoke. */
    if (!alive || p->s->a == NULL) {
        free(p);
        return;
    }
    struct p7_session *s = p->s;
    int rc = x400ms_assoc_invoke(s->a, MS_OP_ALERT, X400MS_BYTES(p->arg, p->len), NULL,
                                 alert_answered, p, NULL);
    if (rc < 0) {
        X400MS_LOG_W("peer %s: cannot invoke Alert: %s", s->peer, x400ms_strerror(rc));
        free(p);
        return;
    }
    X400MS_LOG_I("peer %s: Alert %lld for entry %u of mailbox %s", s->peer,
                 (long long)p->registration_id, p->seq, s->mailbox);
}

static int alert_hook(void *ctx, const char *hook, void *event)
{
    (void)hook;
    struct p7_module *m = ctx;
    struct x400ms_alert_event *ev = event;
    if (ev == NULL || ev->size < sizeof *ev || ev->mailbox == NULL)
        return X400MS_HOOK_CONTINUE;
    size_t len = 0;
    uint8_t *arg = build_alert(ev, &len);
    if (arg == NULL)
        return X400MS_ENOMEM;
    unsigned alerted = 0;
    pthread_mutex_lock(&m->alert_lock);
    for (struct p7_session *s = m->bound_list; s != NULL; s = s->bound_next) {
        if (strcmp(s->mailbox, ev->mailbox) != 0)
            continue;
        struct alert_post *p = malloc(sizeof *p + len);
        if (p == NULL)
            continue;
        p->m = m;
        p->s = s;
        p->serial = s->serial;
        p->registration_id = ev->registration_id;
        p->seq = ev->seq;
        p->len = len;
        memcpy(p->arg, arg, len);
        if (x400ms_loop_post(s->loop, alert_deliver, p) < 0) {
            free(p);
            continue;
        }
        alerted++;
    }
    /* under the lock: a bind taking the indication sees it or gets the Alert */
    if (alerted == 0)
        ev->indication_recorded = pending_record(m, ev->mailbox);
    pthread_mutex_unlock(&m->alert_lock);
    if (alerted == 0 && ev->indication_recorded)
        X400MS_LOG_I("alert %lld (entry %u) with no UA bound: alert-indication recorded for "
                     "mailbox %s", (long long)ev->registration_id, ev->seq, ev->mailbox);
    ev->alerted += alerted;
    free(arg);
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
