/* Crash test of the file store with a real process: a child delivers from 4
 * threads, printing each sequence number it was told is durable; the parent
 * kills it with SIGKILL at random moments, 20 rounds. After each kill the
 * parent opens the store itself and checks that every acknowledged delivery
 * is present and intact, no temporary file is visible as an entry, no
 * sequence number was ever given twice, and the index check reports the
 * mailbox consistent. */
#include "test_store_util.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 20

struct ack { uint32_t seq, tag; uint32_t len; };

struct acks {
    struct ack *v;
    size_t n, cap;
};

static void ack_add(struct acks *a, uint32_t seq, uint32_t tag, uint32_t len)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        a->v = realloc(a->v, a->cap * sizeof *a->v);
        assert_non_null(a->v);
    }
    a->v[a->n++] = (struct ack){ seq, tag, len };
}

static char *child_path(void)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char *p = malloc(4096);
    snprintf(p, 4096, "%s/tests/unit/test_store_crash_child", top ? top : ".");
    return p;
}

/* Runs one child for about `ms` milliseconds, then SIGKILL; appends what it acknowledged. */
static void run_child(const char *root, uint32_t base_tag, int ms, struct acks *acks)
{
    int fds[2];
    char tagbuf[16], *prog = child_path();
    pid_t pid;

    assert_int_equal(pipe(fds), 0);
    snprintf(tagbuf, sizeof tagbuf, "%u", base_tag);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(prog, prog, root, tagbuf, (char *)NULL);
        _exit(127);
    }
    free(prog);
    close(fds[1]);

    char buf[65536], line[128];
    size_t line_len = 0;
    bool ready = false;
    long long start = x4t_now_ms(), kill_at = -1;
    for (;;) {
        struct pollfd p = { .fd = fds[0], .events = POLLIN };
        long long now = x4t_now_ms();
        if (!ready && now - start > 10000)
            fail_msg("the crash child did not start");
        if (ready && kill_at < 0)
            kill_at = now + ms;
        if (kill_at >= 0 && now >= kill_at) {
            kill(pid, SIGKILL);
            kill_at = 1LL << 62;
        }
        int r = poll(&p, 1, 5);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            continue;
        ssize_t n = read(fds[0], buf, sizeof buf);
        if (n <= 0)
            break; /* killed: the pipe is drained */
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (line_len < sizeof line - 1)
                    line[line_len++] = buf[i];
                continue;
            }
            line[line_len] = 0;
            line_len = 0;
            unsigned s, t, l;
            if (strcmp(line, "ready") == 0)
                ready = true;
            else if (sscanf(line, "%u %u %u", &s, &t, &l) == 3)
                ack_add(acks, s, t, l);
        }
    }
    close(fds[0]);
    int status;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
        fail_msg("the crash child ended by itself (status 0x%x)", status);
}

static int cmp_ack(const void *a, const void *b)
{
    const struct ack *x = a, *y = b;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void verify(const char *root, struct acks *acks, uint32_t *max_seq)
{
    struct x400ms_error err = { 0 };
    struct x400ms_store_check_report rep;
    struct sf_store *store = tsu_open(root, false);
    struct x400ms_store_mailbox *mb = tsu_mbopen(store, "crash");

    /* never a number twice, over all rounds */
    qsort(acks->v, acks->n, sizeof *acks->v, cmp_ack);
    for (size_t i = 1; i < acks->n; i++)
        if (acks->v[i].seq == acks->v[i - 1].seq)
            fail_msg("sequence number %u acknowledged twice", acks->v[i].seq);
    /* every acknowledged delivery present and intact */
    for (size_t i = 0; i < acks->n; i++)
        tsu_assert_content(mb, 0, acks->v[i].seq, acks->v[i].tag, acks->v[i].len);
    /* recovered during the load: the check has nothing to fix */
    assert_int_equal(OPS->check(store, "crash", &rep, &err), 0);
    if (!rep.consistent)
        fail_msg("check: %llu corrupt, %llu missing, %llu unindexed, %llu status fixed",
                 (unsigned long long)rep.corrupt, (unsigned long long)rep.missing,
                 (unsigned long long)rep.unindexed, (unsigned long long)rep.status_fixed);
    /* no temporary file left, and every entry listed is a valid entry */
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/mailboxes/crash/inbox", root);
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t files = 0;
    assert_non_null(d);
    while ((de = readdir(d)) != NULL) {
        if (de->d_name[0] == '.' && (de->d_name[1] == 't' || de->d_name[1] == 'd'))
            fail_msg("leftover file %s after recovery", de->d_name);
        if (de->d_name[0] != '.')
            files++;
    }
    closedir(d);
    struct x400ms_store_summary sum;
    assert_int_equal(OPS->summary(mb, 0, &sum, &err), 0);
    assert_int_equal(sum.total, files);
    assert_true(sum.total >= acks->n);
    /* numbers only go up, across crashes */
    assert_true(sum.highest_seq >= *max_seq);
    *max_seq = sum.highest_seq;
    OPS->mailbox_close(mb);
    sf_store_close(store);
}

static void test_store_crash_sigkill_rounds(void **state)
{
    struct acks acks = { 0 };
    char *root = x4t_tempdir("store-crash");
    uint32_t max_seq = 0;
    size_t before;
    (void)state;

    srand((unsigned)getpid());
    for (int round = 0; round < ROUNDS; round++) {
        long long t0 = x4t_now_ms(), t1;
        before = acks.n;
        run_child(root, (uint32_t)round * 10000000u, 50 + rand() % 300, &acks);
        t1 = x4t_now_ms();
        verify(root, &acks, &max_seq);
        if (getenv("X400MS_TEST_VERBOSE"))
            fprintf(stderr, "round %d: %zu deliveries acknowledged; child %lld ms, verify %lld ms\n", round,
                    acks.n - before, t1 - t0, x4t_now_ms() - t1);
    }
    assert_true(acks.n > 0);
    free(acks.v);
    x4t_rmtree(root);
    free(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_store_crash_sigkill_rounds),
    };
    tsu_quiet();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
