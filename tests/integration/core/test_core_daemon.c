/* Integration tests of x400msd itself: the real daemon, started by
 * tests/lib/x4test, on manifests that load the loader test modules of
 * tests/unit/modules/ (which record their lifecycle calls into $X4T_CALL_LOG). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "tests/lib/x4test.h"

struct fixture {
    char *dir;   /* the test's own files: call log, pid file, -t manifests */
    char *calls;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = x4t_tempdir("core-daemon");
    if (!f->dir || asprintf(&f->calls, "%s/calls", f->dir) < 0)
        return -1;
    setenv("X4T_CALL_LOG", f->calls, 1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (!getenv("X4T_KEEP"))
        x4t_rmtree(f->dir);
    free(f->dir);
    free(f->calls);
    free(f);
    return 0;
}

/* `text` with @TESTMODS@ (the loader test modules) and @TEST@ (the test's
 * directory) filled in; caller frees. */
static char *manifest(struct fixture *f, const char *text)
{
    char *mods, *a, *b;
    assert_true(asprintf(&mods, "%s/tests/unit/modules", getenv("X400MS_TOP_BUILDDIR")) > 0);
    a = x4t_replace(text, "@TESTMODS@", mods);
    b = x4t_replace(a, "@TEST@", f->dir);
    free(mods);
    free(a);
    return b;
}

static void expect_in(const char *text, const char *want)
{
    if (!text || !strstr(text, want))
        fail_msg("expected \"%s\" in:\n%s", want, text ? text : "(null)");
}

static void expect_calls(struct fixture *f, const char *want)
{
    char *got = x4t_read_file(f->calls);
    if (!got || strcmp(got, want) != 0)
        fail_msg("calls:\n%s\nexpected:\n%s", got ? got : "(none)", want);
    free(got);
}

static const char *const basic_manifest =
    "{\n"
    "  \"module_path\": \"@TESTMODS@\",\n"
    "  \"threads\": 2,\n"
    "  \"log\": { \"level\": \"info\" },\n"
    "  \"modules\": [\n"
    "    { \"name\": \"tm_b\", \"config\": { \"value\": 3 } },\n"
    "    { \"name\": \"tm_a\" }\n"
    "  ]\n"
    "}\n";

/* Sends `signo` and returns the exit status; fails the test after 5 s. */
static int signal_and_wait(struct x4t_daemon *d, int signo, long long *elapsed_ms, char **log_r)
{
    long long start = x4t_now_ms();
    assert_int_equal(x4t_daemon_signal(d, signo), 0);
    /* Returns once the line is there or the daemon is gone. */
    x4t_daemon_wait_log(d, "x400msd stopped", 5000);
    if (log_r)
        *log_r = x4t_daemon_log_text(d);
    long long left = 5000 - (x4t_now_ms() - start);
    int status = x4t_daemon_wait_exit(d, left > 100 ? (int)left : 100);
    if (status < 0) {
        x4t_daemon_kill(d);
        fail_msg("x400msd did not exit within 5 s of signal %d", signo);
    }
    *elapsed_ms = x4t_now_ms() - start;
    return status;
}

static void test_core_daemon_starts_ready_and_sigterm_exits_0(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, basic_manifest);
    struct x4t_daemon *d = x4t_daemon_start(text);
    free(text);
    assert_non_null(d);
    assert_true(x4t_daemon_pid(d) > 0);
    assert_int_equal(kill(x4t_daemon_pid(d), 0), 0);

    char *log = x4t_daemon_log_text(d);
    expect_in(log, "notice [core] x400msd 0.1.0 starting: manifest ");
    expect_in(log, "2 loop threads");
    expect_in(log, "notice [tm_b] started with value 3");
    expect_in(log, "notice [core] x400msd ready\n");
    /* Every start() ran before the ready line. */
    assert_true(strstr(log, "[tm_b] started") < strstr(log, "x400msd ready"));
    free(log);

    long long elapsed;
    int status = signal_and_wait(d, SIGTERM, &elapsed, &log);
    assert_int_equal(status, 0);
    assert_true(elapsed < 5000);
    expect_in(log, "notice [core] SIGTERM: shutting down");
    expect_in(log, "notice [core] x400msd stopped");
    free(log);
    expect_calls(f, "tm_a init\ntm_b init\ntm_a start\ntm_b start\n"
                    "tm_b stop\ntm_a stop\ntm_b fini\ntm_a fini\n");
}

static void test_core_daemon_sigint_exits_0(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, basic_manifest);
    struct x4t_daemon *d = x4t_daemon_start(text);
    free(text);
    assert_non_null(d);
    long long elapsed;
    assert_int_equal(signal_and_wait(d, SIGINT, &elapsed, NULL), 0);
    assert_true(elapsed < 5000);
}

static void test_core_daemon_sighup_reopens_log(void **state)
{
    (void)state;
    /* The daemon's log file is the file x4test reads; once it is renamed,
     * only a reopen can create a new one. */
    struct x4t_daemon *d = x4t_daemon_start(
        "{\"log\": {\"target\": \"@DATA@/x400msd.log\"}, \"modules\": []}");
    assert_non_null(d);
    char *rotated;
    assert_true(asprintf(&rotated, "%s/rotated.log", x4t_daemon_data_dir(d)) > 0);
    assert_int_equal(rename(x4t_daemon_log_path(d), rotated), 0);
    assert_int_equal(x4t_daemon_signal(d, SIGHUP), 0);
    assert_int_equal(x4t_daemon_wait_log(d, "notice [core] SIGHUP: log reopened", 5000), 0);
    char *old = x4t_read_file(rotated);
    expect_in(old, "x400msd ready");
    assert_null(strstr(old, "SIGHUP"));
    free(old);
    free(rotated);
    assert_int_equal(x4t_daemon_stop(d), 0);
}

static void test_core_daemon_data_dir_created_0700(void **state)
{
    (void)state;
    /* data_dir relative to the manifest's directory (DATA), created with its parents. */
    struct x4t_daemon *d = x4t_daemon_start("{\"data_dir\": \"var/store\", \"modules\": []}");
    assert_non_null(d);
    char *dir;
    assert_true(asprintf(&dir, "%s/var/store", x4t_daemon_data_dir(d)) > 0);
    struct stat st;
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    assert_int_equal(st.st_mode & 0777, 0700);
    char *log = x4t_daemon_log_text(d);
    expect_in(log, dir);
    free(log);
    free(dir);
    assert_int_equal(x4t_daemon_stop(d), 0);
}

static void test_core_daemon_pid_file(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, "{\"pid_file\": \"@TEST@/x400msd.pid\", \"modules\": []}");
    char *pid_path;
    assert_true(asprintf(&pid_path, "%s/x400msd.pid", f->dir) > 0);
    struct x4t_daemon *d = x4t_daemon_start(text);
    free(text);
    assert_non_null(d);
    char *pid_text = x4t_read_file(pid_path);
    assert_non_null(pid_text);
    assert_int_equal(atol(pid_text), (long)x4t_daemon_pid(d));
    free(pid_text);
    assert_int_equal(x4t_daemon_stop(d), 0);
    assert_int_equal(access(pid_path, F_OK), -1); /* removed on exit */
    free(pid_path);
}

static void test_core_daemon_second_instance_refused_neg(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, "{\"pid_file\": \"@TEST@/x400msd.pid\", \"modules\": []}");
    struct x4t_daemon *d = x4t_daemon_start(text);
    assert_non_null(d);
    char *file, *data, *out = NULL, *program = x4t_daemon_program();
    assert_true(asprintf(&file, "%s/second.json", f->dir) > 0);
    assert_true(asprintf(&data, "%s/second-data", f->dir) > 0);
    assert_int_equal(x4t_write_file(file, text), 0);
    char *argv[] = { program, "-f", "-c", file, "-d", data, NULL };
    assert_int_equal(x4t_run(argv, &out, 10000), 1);
    expect_in(out, "is locked by a running x400msd");
    free(out);
    free(file);
    free(data);
    free(program);
    free(text);
    assert_int_equal(x4t_daemon_stop(d), 0);
}

/* Runs x400msd with args (NULL-terminated) and returns its status. */
static int run_daemon(char **out, ...)
{
    char *argv[16];
    int n = 0;
    argv[n++] = x4t_daemon_program();
    va_list ap;
    va_start(ap, out);
    char *arg;
    while ((arg = va_arg(ap, char *)) != NULL && n < 15)
        argv[n++] = arg;
    va_end(ap);
    argv[n] = NULL;
    int status = x4t_run(argv, out, 20000);
    free(argv[0]);
    return status;
}

static void check_accepted(const char *file)
{
    char *out = NULL;
    int status = run_daemon(&out, "-t", "-c", file, (char *)NULL);
    if (status != 0)
        fail_msg("x400msd -t -c %s exited %d:\n%s", file, status, out);
    expect_in(out, "OK");
    free(out);
}

static void test_core_daemon_check_accepts_shipped_manifests(void **state)
{
    (void)state;
    const char *src = getenv("X400MS_TOP_SRCDIR");
    assert_non_null(src);
    char *path, *var;
    assert_true(asprintf(&path, "%s/etc/x400ms.json", src) > 0);
    assert_true(asprintf(&var, "%s/etc/var", src) > 0);
    bool had_var = access(var, F_OK) == 0;
    check_accepted(path);
    /* -t creates nothing: not even the data directory. */
    assert_int_equal(access(var, F_OK) == 0, had_var);
    free(path);
    free(var);

    assert_true(asprintf(&path, "%s/etc/examples", src) > 0);
    DIR *dir = opendir(path);
    assert_non_null(dir);
    int checked = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 5, ".json") != 0)
            continue;
        char *file;
        assert_true(asprintf(&file, "%s/%s", path, de->d_name) > 0);
        check_accepted(file);
        free(file);
        checked++;
    }
    closedir(dir);
    free(path);
    assert_true(checked >= 1);
}

static void test_core_daemon_check_runs_init_not_start(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, "{\"module_path\": \"@TESTMODS@\", \"data_dir\": \"never\", "
                             "\"modules\": [{\"name\": \"tm_a\"}, {\"name\": \"tm_b\"}]}");
    char *file, *never, *out = NULL;
    assert_true(asprintf(&file, "%s/check.json", f->dir) > 0);
    assert_true(asprintf(&never, "%s/never", f->dir) > 0);
    assert_int_equal(x4t_write_file(file, text), 0);
    assert_int_equal(run_daemon(&out, "-t", "-c", file, (char *)NULL), 0);
    expect_in(out, "OK (2 modules)");
    expect_calls(f, "tm_a init\ntm_b init\ntm_b fini\ntm_a fini\n");
    assert_int_equal(access(never, F_OK), -1);
    free(out);
    free(file);
    free(never);
    free(text);
}

static void test_core_daemon_check_rejects_bad_manifest_neg(void **state)
{
    struct fixture *f = *state;
    char *file, *out = NULL;
    assert_true(asprintf(&file, "%s/bad.json", f->dir) > 0);

    char *text = manifest(f, "{\"module_path\": \"@TESTMODS@\", \"data_dir\": \"var\",\n"
                             " \"modules\": [{\"name\": \"tm_a\"}, {\"name\": \"tm_b\", \"colour\": 1}]}");
    assert_int_equal(x4t_write_file(file, text), 0);
    free(text);
    assert_int_equal(run_daemon(&out, "-t", "-c", file, (char *)NULL), 1);
    expect_in(out, file);
    expect_in(out, "modules[1].colour: unknown key");
    free(out);

    /* A module's config is checked by its init, under -t too. */
    text = manifest(f, "{\"module_path\": \"@TESTMODS@\", \"data_dir\": \"var\",\n"
                       " \"modules\": [{\"name\": \"tm_a\"}, {\"name\": \"tm_b\", \"config\": {\"value\": \"x\"}}]}");
    assert_int_equal(x4t_write_file(file, text), 0);
    free(text);
    assert_int_equal(run_daemon(&out, "-t", "-c", file, (char *)NULL), 1);
    expect_in(out, file);
    expect_in(out, "modules[1].config.value: expected an integer from 0 to 10, got \"x\"");
    expect_calls(f, "tm_a init\ntm_b init\ntm_a fini\n");
    free(out);

    assert_int_equal(x4t_write_file(file, "{\"data_dir\": \"var\",\n \"modules\": [\n}\n"), 0);
    assert_int_equal(run_daemon(&out, "-t", "-c", file, (char *)NULL), 1);
    expect_in(out, file);
    expect_in(out, ":3:");
    free(out);

    text = manifest(f, "{\"module_path\": \"@TESTMODS@\", \"data_dir\": \"var\", \"modules\": [{\"name\": \"nothere\"}]}");
    assert_int_equal(x4t_write_file(file, text), 0);
    free(text);
    assert_int_equal(run_daemon(&out, "-t", "-c", file, (char *)NULL), 1);
    expect_in(out, "modules[0] (nothere): module file \"nothere\" not found in ");
    free(out);
    free(file);
}

static void test_core_daemon_start_failure_exits_1_neg(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, "{\"module_path\": \"@TESTMODS@\", \"modules\": "
                             "[{\"name\": \"tm_a\"}, {\"name\": \"tm_startfail\"}]}");
    char *file, *data, *out = NULL;
    assert_true(asprintf(&file, "%s/startfail.json", f->dir) > 0);
    assert_true(asprintf(&data, "%s/data", f->dir) > 0);
    assert_int_equal(x4t_write_file(file, text), 0);
    assert_int_equal(run_daemon(&out, "-f", "-c", file, "-d", data, (char *)NULL), 1);
    expect_in(out, "module tm_startfail: start failed");
    assert_null(strstr(out, "x400msd ready"));
    expect_calls(f, "tm_a init\ntm_startfail init\ntm_a start\ntm_startfail start\n"
                    "tm_a stop\ntm_startfail fini\ntm_a fini\n");
    free(out);
    free(text);

    text = manifest(f, "{\"module_path\": \"@TESTMODS@\", \"modules\": [{\"name\": \"tm_fail\"}]}");
    assert_int_equal(x4t_write_file(file, text), 0);
    assert_int_equal(run_daemon(&out, "-f", "-c", file, "-d", data, (char *)NULL), 1);
    expect_in(out, "module tm_fail: tm_fail: init fails on purpose");
    free(out);
    free(text);
    free(file);
    free(data);
}

static void test_core_daemon_missing_data_dir_neg(void **state)
{
    struct fixture *f = *state;
    char *file, *out = NULL;
    assert_true(asprintf(&file, "%s/nodata.json", f->dir) > 0);
    assert_int_equal(x4t_write_file(file, "{\"modules\": []}"), 0);
    assert_int_equal(run_daemon(&out, "-f", "-c", file, (char *)NULL), 1);
    expect_in(out, "data_dir: missing: set it in the manifest or give -d DATA_DIR");
    free(out);
    free(file);
}

static void test_core_daemon_background_mode(void **state)
{
    struct fixture *f = *state;
    char *text = manifest(f, "{\"log\": {\"target\": \"@TEST@/bg.log\"}, \"modules\": []}");
    char *file, *data, *pid_path, *log_path, *out = NULL;
    assert_true(asprintf(&file, "%s/bg.json", f->dir) > 0);
    assert_true(asprintf(&data, "%s/bg-data", f->dir) > 0);
    assert_true(asprintf(&pid_path, "%s/bg.pid", f->dir) > 0);
    assert_true(asprintf(&log_path, "%s/bg.log", f->dir) > 0);
    assert_int_equal(x4t_write_file(file, text), 0);
    /* Without -f the parent returns 0 once the child is ready. */
    assert_int_equal(run_daemon(&out, "-c", file, "-d", data, "-p", pid_path, (char *)NULL), 0);
    char *pid_text = x4t_read_file(pid_path);
    assert_non_null(pid_text);
    pid_t pid = (pid_t)atol(pid_text);
    free(pid_text);
    assert_true(pid > 0);
    assert_int_equal(kill(pid, 0), 0);
    char *log = x4t_read_file(log_path);
    expect_in(log, "x400msd ready");
    free(log);
    assert_int_equal(kill(pid, SIGTERM), 0);
    long long deadline = x4t_now_ms() + 5000;
    while (kill(pid, 0) == 0 && x4t_now_ms() < deadline) {
        struct timespec ts = { 0, 20 * 1000000L };
        nanosleep(&ts, NULL);
    }
    if (kill(pid, 0) == 0) {
        kill(pid, SIGKILL);
        fail_msg("background x400msd did not exit within 5 s of SIGTERM");
    }
    log = x4t_read_file(log_path);
    expect_in(log, "x400msd stopped");
    free(log);
    free(out);
    free(text);
    free(file);
    free(data);
    free(pid_path);
    free(log_path);
}

static void test_core_daemon_options(void **state)
{
    (void)state;
    char *out = NULL;
    assert_int_equal(run_daemon(&out, "--version", (char *)NULL), 0);
    expect_in(out, "x400msd 0.1.0 (module ABI 1)");
    free(out);
    assert_int_equal(run_daemon(&out, "--help", (char *)NULL), 0);
    expect_in(out, "-t, --test");
    free(out);
    assert_int_equal(run_daemon(&out, "--bogus", (char *)NULL), 2);
    expect_in(out, "usage: x400msd");
    free(out);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_core_daemon_starts_ready_and_sigterm_exits_0),
        T(test_core_daemon_sigint_exits_0),
        T(test_core_daemon_sighup_reopens_log),
        T(test_core_daemon_data_dir_created_0700),
        T(test_core_daemon_pid_file),
        T(test_core_daemon_second_instance_refused_neg),
        T(test_core_daemon_check_accepts_shipped_manifests),
        T(test_core_daemon_check_runs_init_not_start),
        T(test_core_daemon_check_rejects_bad_manifest_neg),
        T(test_core_daemon_start_failure_exits_1_neg),
        T(test_core_daemon_missing_data_dir_neg),
        T(test_core_daemon_background_mode),
        T(test_core_daemon_options),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
