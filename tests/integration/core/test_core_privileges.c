/* Integration tests of x400msd's privilege handling (core/privileges.c),
 * run against the real daemon. They need root (CI runs as root) and the
 * user "nobody"; without them they are skipped:
 * - root without "user" is refused before it touches anything;
 * - --allow-root runs as root, with a warning in the log;
 * - so does "allow_root": true in the manifest; false or absent is refused,
 *   and a value that is not a boolean is refused naming the key;
 * - "user": "nobody" binds a privileged port as root, then runs as nobody,
 *   and every file it created belongs to nobody;
 * - a data_dir that belongs to someone else is refused. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "tests/lib/x4test.h"

struct fixture {
    char *dir; /* 0755: the daemon, as nobody, must traverse it */
    char *program;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = x4t_tempdir("core-priv");
    f->program = x4t_daemon_program();
    if (!f->dir || !f->program || chmod(f->dir, 0755) != 0)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (!getenv("X4T_KEEP"))
        x4t_rmtree(f->dir);
    free(f->dir);
    free(f->program);
    free(f);
    /* Every case leaves the harness's setting as it found it. */
    setenv("X400MS_ALLOW_ROOT", "1", 1);
    return 0;
}

static bool need_root_and_nobody(void)
{
    if (geteuid() != 0) {
        print_message("not root: privilege tests skipped\n");
        return false;
    }
    if (!getpwnam("nobody")) {
        print_message("no user nobody: privilege tests skipped\n");
        return false;
    }
    return true;
}

/* Runs x400msd -f -c FILE [extra] for at most timeout_ms; returns the exit
 * status (137 when it was still running and got killed) and its output. */
static int run_daemon(struct fixture *f, const char *manifest_text, const char *extra, int timeout_ms,
                      char **output)
{
    char *path;
    assert_true(asprintf(&path, "%s/x400msd.json", f->dir) > 0);
    assert_int_equal(x4t_write_file(path, manifest_text), 0);
    char *argv[] = { f->program, "-f", "-c", path, (char *)extra, NULL };
    int status = x4t_run(argv, output, timeout_ms);
    free(path);
    return status;
}

static void test_core_privileges_root_refused_neg(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    unsetenv("X400MS_ALLOW_ROOT");
    char *out = NULL;
    int status = run_daemon(f, "{ \"data_dir\": \"data\", \"modules\": [] }", NULL, 10000, &out);
    print_message("%s", out);
    assert_int_equal(status, 1);
    assert_non_null(strstr(out, "refusing to run as root"));
    assert_non_null(strstr(out, "--allow-root"));
    /* Refused before it touched anything as root. */
    char *data;
    struct stat st;
    assert_true(asprintf(&data, "%s/data", f->dir) > 0);
    assert_int_equal(stat(data, &st), -1);
    assert_int_equal(errno, ENOENT);
    free(data);
    free(out);
}

/* --allow-root (the harness's X400MS_ALLOW_ROOT unset): it starts, as root,
 * and says so; it is killed after 1.5 s since it does not exit by itself. */
static void test_core_privileges_allow_root_flag(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    unsetenv("X400MS_ALLOW_ROOT");
    char *out = NULL;
    int status = run_daemon(f, "{ \"data_dir\": \"data\", \"modules\": [] }", "--allow-root", 1500, &out);
    assert_int_equal(status, 128 + 9);
    assert_non_null(strstr(out, "running as root (--allow-root)"));
    assert_non_null(strstr(out, "x400msd ready"));
    free(out);
}

/* "allow_root": true in the manifest does what --allow-root does (neither
 * the flag nor X400MS_ALLOW_ROOT given), and says where it came from. */
static void test_core_privileges_allow_root_manifest(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    unsetenv("X400MS_ALLOW_ROOT");
    char *out = NULL;
    int status = run_daemon(f, "{ \"data_dir\": \"data\", \"allow_root\": true, \"modules\": [] }", NULL,
                            1500, &out);
    print_message("%s", out);
    assert_int_equal(status, 128 + 9);
    assert_non_null(strstr(out, "\"allow_root\": true in the manifest and no \"user\": running as root"));
    assert_non_null(strstr(out, "running as root (--allow-root)"));
    assert_non_null(strstr(out, "x400msd ready"));
    free(out);
}

/* Without the key's permission the same manifest is refused: false as
 * much as absent (the case above would pass for any manifest otherwise). */
static void test_core_privileges_allow_root_false_neg(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    unsetenv("X400MS_ALLOW_ROOT");
    char *out = NULL;
    int status = run_daemon(f, "{ \"data_dir\": \"data\", \"allow_root\": false, \"modules\": [] }", NULL,
                            10000, &out);
    print_message("%s", out);
    assert_int_equal(status, 1);
    assert_non_null(strstr(out, "refusing to run as root"));
    assert_non_null(strstr(out, "\"allow_root\": true in the manifest"));
    assert_null(strstr(out, "x400msd ready"));
    free(out);
}

/* "allow_root": "yes" is not a boolean: refused, naming the key, even
 * with --allow-root (the manifest is checked before anything runs). */
static void test_core_privileges_allow_root_not_bool_neg(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    char *out = NULL;
    int status = run_daemon(f, "{ \"data_dir\": \"data\", \"allow_root\": \"yes\", \"modules\": [] }",
                            "--allow-root", 10000, &out);
    print_message("%s", out);
    assert_int_equal(status, 1);
    assert_non_null(strstr(out, "allow_root: expected true or false"));
    assert_null(strstr(out, "x400msd ready"));
    free(out);
}

/* A port below 1024 that nobody else holds: binding it needs root. */
static int free_privileged_port(void)
{
    for (int port = 1023; port >= 600; port--) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                                  .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        int ok = fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        if (fd >= 0)
            close(fd);
        if (ok)
            return port;
    }
    return -1;
}

/* /proc/PID/status "Uid:" or "Gid:": all four ids (real, effective, saved,
 * filesystem) must equal `id`. */
static void assert_proc_ids(pid_t pid, const char *key, long id)
{
    char path[64], *text, *line;
    long r, e, s, fs;
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    assert_non_null(text = x4t_read_file(path));
    assert_non_null(line = strstr(text, key));
    assert_int_equal(sscanf(line + strlen(key), "%ld %ld %ld %ld", &r, &e, &s, &fs), 4);
    print_message("%s %ld %ld %ld %ld\n", key, r, e, s, fs);
    assert_int_equal(r, id);
    assert_int_equal(e, id);
    assert_int_equal(s, id);
    assert_int_equal(fs, id);
    /* No supplementary group 0 left over from root. */
    assert_non_null(line = strstr(text, "Groups:"));
    line[strcspn(line, "\n")] = '\0';
    print_message("%s\n", line);
    for (char *tok = strtok(line + strlen("Groups:"), " \t"); tok; tok = strtok(NULL, " \t"))
        assert_string_not_equal(tok, "0");
    free(text);
}

static uid_t owner_expected;
static int files_seen, files_wrong;

static int check_owner(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    files_seen++;
    if (st->st_uid != owner_expected) {
        print_message("owned by uid %ld, not %ld: %s\n", (long)st->st_uid, (long)owner_expected, path);
        files_wrong++;
    }
    return 0;
}

static void test_core_privileges_drop_to_nobody(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    const struct passwd *pw = getpwnam("nobody");
    uid_t uid = pw->pw_uid;
    gid_t gid = pw->pw_gid;
    int port = free_privileged_port();
    assert_true(port > 0);

    char *run, *data, *manifest;
    assert_true(asprintf(&run, "%s/run", f->dir) > 0);
    assert_int_equal(mkdir(run, 0755), 0);
    assert_true(asprintf(&data, "%s/data", run) > 0);
    /* The daemon creates data/ itself (as root) and must give it to nobody. */
    assert_true(asprintf(&manifest,
                         "{ \"data_dir\": \"data\", \"user\": \"nobody\", \"module_path\": \"@MODULES@\","
                         "  \"log\": { \"target\": \"stderr\", \"level\": \"info\" },"
                         "  \"modules\": ["
                         "    { \"name\": \"rfc1006\", \"config\": { \"listen\": "
                         "      [ { \"address\": \"127.0.0.1\", \"port\": %d } ] } },"
                         "    { \"name\": \"store_file\", \"config\": { \"root\": \"store\" } } ] }",
                         port) > 0);
    struct x4t_daemon *d = x4t_daemon_start_in(manifest, run);
    assert_non_null(d);
    assert_int_equal(x4t_daemon_wait_log(d, "dropped root: running as user nobody", 5000), 0);

    assert_proc_ids(x4t_daemon_pid(d), "Uid:", (long)uid);
    assert_proc_ids(x4t_daemon_pid(d), "Gid:", (long)gid);
    /* The privileged port was bound before the drop, and still serves. */
    int fd = x4t_connect(port);
    assert_true(fd >= 0);
    close(fd);

    /* Everything under data/, the directory included, belongs to nobody. */
    struct stat st;
    char *store;
    assert_true(asprintf(&store, "%s/store", data) > 0);
    assert_int_equal(stat(store, &st), 0);
    owner_expected = uid;
    files_seen = files_wrong = 0;
    assert_int_equal(nftw(data, check_owner, 16, FTW_PHYS), 0);
    print_message("%d files under %s\n", files_seen, data);
    assert_true(files_seen >= 2);
    assert_int_equal(files_wrong, 0);
    assert_int_equal(stat(data, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0700);

    assert_int_equal(x4t_daemon_stop(d), 0);
    free(store);
    free(manifest);
    free(data);
    free(run);
}

/* An existing data_dir that belongs to root is not silently used (nor
 * chowned): the daemon says which chown to run. */
static void test_core_privileges_data_dir_owner_neg(void **state)
{
    struct fixture *f = *state;
    if (!need_root_and_nobody())
        skip();
    char *data;
    assert_true(asprintf(&data, "%s/data", f->dir) > 0);
    assert_int_equal(mkdir(data, 0700), 0);
    char *out = NULL;
    int status = run_daemon(f, "{ \"data_dir\": \"data\", \"user\": \"nobody\", \"modules\": [] }", NULL,
                            10000, &out);
    print_message("%s", out);
    assert_int_equal(status, 1);
    assert_non_null(strstr(out, "chown -R nobody"));
    struct stat st;
    assert_int_equal(stat(data, &st), 0);
    assert_int_equal(st.st_uid, 0);
    free(data);
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_core_privileges_root_refused_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_privileges_allow_root_flag, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_privileges_allow_root_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_privileges_allow_root_false_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_privileges_allow_root_not_bool_neg, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_privileges_drop_to_nobody, setup, teardown),
        cmocka_unit_test_setup_teardown(test_core_privileges_data_dir_owner_neg, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
