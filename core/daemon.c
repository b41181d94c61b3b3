/* x400msd's life: manifest → core → modules init → start → loop threads →
 * "x400msd ready" → signals on the main loop → stop (reverse) → bounded
 * drain → fini (reverse) → exit 0. */
#define _GNU_SOURCE
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/core-private.h"
#include "core/daemon.h"
#include "core/loop-private.h"
#include "core/manifest.h"
#include "core/module-loader.h"
#include "core/memtrim.h"
#include "core/privileges.h"
#include "x400ms/log.h"

#ifndef X400MS_SYSCONFDIR
#define X400MS_SYSCONFDIR "/usr/local/etc"
#endif

/* How long stop() gets to let in-flight work end before the loops stop. */
#define SHUTDOWN_GRACE_MS 3000
#define SHUTDOWN_POLL_MS 20

struct daemon {
    struct x400ms_core *core;
    struct x400ms_loop *main_loop;
    struct x400ms_io *signal_io;
    struct x400ms_timer *drain_timer;
    int signal_fd;
    uint64_t drain_deadline;
    bool shutting_down;
};

/* ---- start-up helpers ---- */

static char *absolute_path(const char *path)
{
    char cwd[PATH_MAX];
    if (path[0] == '/' || !getcwd(cwd, sizeof cwd))
        return strdup(path);
    return core_path_resolve(cwd, path);
}

/* mkdir -p; the last component gets mode 0700 (it holds every mailbox).
 * *created tells whether the last component is new. */
static int make_data_dir(const char *dir, bool *created, struct x400ms_error *err)
{
    *created = false;
    char *path = strdup(dir);
    if (!path)
        return x400ms_error_set(err, X400MS_ENOMEM, "out of memory");
    for (char *p = path + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(path, 0755) != 0 && errno != EEXIST) {
            int rc = x400ms_error_set(err, X400MS_EIO, "data_dir %s: cannot create %s: %s", dir,
                                      path, strerror(errno));
            free(path);
            return rc;
        }
        *p = '/';
    }
    free(path);
    if (mkdir(dir, 0700) == 0)
        *created = true;
    else if (errno != EEXIST)
        return x400ms_error_set(err, X400MS_EIO, "data_dir %s: cannot create it: %s", dir, strerror(errno));
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return x400ms_error_set(err, X400MS_EIO, "data_dir %s: not a directory", dir);
    if (st.st_mode & 077)
        X400MS_LOG_W("data_dir %s has mode %03o: other users can read mailboxes; chmod 700 it",
                     dir, (unsigned)(st.st_mode & 0777));
    return 0;
}

/* Writes our pid into a locked pid file; the lock shows a running daemon. */
static int pid_file_create(const char *path, struct x400ms_error *err)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return x400ms_error_set(err, X400MS_EIO, "pid file %s: %s", path, strerror(errno));
    if (lockf(fd, F_TLOCK, 0) != 0) {
        char buf[32] = "";
        ssize_t n = read(fd, buf, sizeof buf - 1);
        buf[n > 0 ? n : 0] = '\0';
        buf[strcspn(buf, "\n")] = '\0';
        close(fd);
        return x400ms_error_set(err, X400MS_EEXIST,
                                "pid file %s is locked by a running x400msd (pid %s): stop it first",
                                path, buf[0] ? buf : "?");
    }
    char text[32];
    int len = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || write(fd, text, (size_t)len) != len) {
        close(fd);
        return x400ms_error_set(err, X400MS_EIO, "pid file %s: %s", path, strerror(errno));
    }
    return fd; /* kept open: the lock lives as long as the daemon */
}

/* Forks into the background. The parent waits for the child to report
 * start-up (one byte on a pipe) and exits with that status, so that an init
 * script sees a failed start. Returns the write end in the child. */
static int daemonize(void)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid > 0) {
        char status = 1;
        close(pipefd[1]);
        if (read(pipefd[0], &status, 1) != 1)
            status = 1;
        if (status != 0)
            fprintf(stderr, "x400msd: start-up failed; see the log\n");
        _exit(status);
    }
    close(pipefd[0]);
    setsid();
    if (chdir("/") != 0)
        return -1;
    int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null_fd >= 0) {
        dup2(null_fd, STDIN_FILENO);
        dup2(null_fd, STDOUT_FILENO);
        close(null_fd);
    }
    return pipefd[1];
}

static void report_ready(int *ready_fd, char status)
{
    if (*ready_fd < 0)
        return;
    if (write(*ready_fd, &status, 1) != 1)
        X400MS_LOG_W("cannot report start-up to the parent process: %s", strerror(errno));
    close(*ready_fd);
    *ready_fd = -1;
    if (status == 0) {
        /* From now on nobody reads our stderr. */
        int null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
        if (null_fd >= 0) {
            dup2(null_fd, STDERR_FILENO);
            close(null_fd);
        }
    }
}

static unsigned default_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 && n <= 256 ? (unsigned)n : 1;
}

/* Opens the core and the modules: built-in services, load, init. */
static struct x400ms_core *core_open(const struct core_manifest *m, const char *data_dir,
                                     bool check_only, const struct x400ms_module *const *builtins,
                                     struct x400ms_error *err)
{
    unsigned threads = m->threads ? m->threads : default_threads();
    struct x400ms_core *core = core_new(m->file, data_dir, threads, check_only, err);
    if (!core)
        return NULL;
    core->registration_open = true;
    core->registering = "core";
    int rc = core_register_builtin_services(core, err);
    core->registration_open = false;
    core->registering = NULL;
    if (rc == 0)
        rc = core_modules_load(core, m, builtins, err);
    if (rc == 0)
        rc = core_modules_init(core, err);
    if (rc != 0)
        core_free(&core);
    return core;
}

/* ---- shutdown on the main loop ---- */

static void drain_check(struct daemon *d)
{
    size_t active = core_loops_active(d->core);
    uint64_t now = x400ms_loop_now_ms(d->main_loop);
    if (active != 0 && now < d->drain_deadline)
        return;
    if (active != 0)
        X400MS_LOG_W("shutdown: %zu fd watches/timers still active after %d ms; stopping anyway",
                     active, SHUTDOWN_GRACE_MS);
    x400ms_timer_remove(&d->drain_timer);
    x400ms_loop_stop(d->main_loop);
}

static void begin_shutdown(struct daemon *d, const char *why)
{
    if (d->shutting_down) {
        X400MS_LOG_N("%s: already shutting down", why);
        return;
    }
    d->shutting_down = true;
    X400MS_LOG_N("%s: shutting down", why);
    core_set_stopping(d->core);
    /* Each module stops accepting and winds down its work on its loops
     * (through x400ms_loop_post); the loops keep running until they are
     * empty or the grace period ends. */
    core_modules_stop(d->core);
    d->drain_deadline = x400ms_loop_now_ms(d->main_loop) + SHUTDOWN_GRACE_MS;
    d->drain_timer = x400ms_timer_add(d->main_loop, SHUTDOWN_POLL_MS, true, drain_check, d);
    if (!d->drain_timer)
        x400ms_loop_stop(d->main_loop);
}

static void on_signal(struct daemon *d, int fd, unsigned events)
{
    struct signalfd_siginfo info;
    while (read(fd, &info, sizeof info) == (ssize_t)sizeof info) {
        switch (info.ssi_signo) {
        case SIGHUP:
            if (x400ms_log_reopen() != 0)
                X400MS_LOG_E("SIGHUP: cannot reopen the log file: %s", strerror(errno));
            else
                X400MS_LOG_N("SIGHUP: log reopened");
            break;
        case SIGTERM:
            begin_shutdown(d, "SIGTERM");
            break;
        case SIGINT:
            begin_shutdown(d, "SIGINT");
            break;
        default:
            break;
        }
    }
}

static int signals_setup(struct daemon *d, struct x400ms_error *err)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    /* Blocked before any thread starts, so every thread inherits the mask
     * and the signals reach only the signalfd of the main loop. */
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    /* A shell starts background jobs with SIGINT ignored; an ignored signal
     * never reaches a signalfd, so take the defaults back (they are blocked). */
    signal(SIGTERM, SIG_DFL);
    signal(SIGINT, SIG_DFL);
    signal(SIGHUP, SIG_DFL);
    signal(SIGPIPE, SIG_IGN);
    d->signal_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (d->signal_fd < 0)
        return x400ms_error_set(err, X400MS_EIO, "signalfd: %s", strerror(errno));
    d->main_loop = x400ms_loop_new(err);
    if (!d->main_loop)
        return err ? err->code : X400MS_EIO;
    d->signal_io = x400ms_io_add(d->main_loop, d->signal_fd, X400MS_IO_READ, on_signal, d);
    if (!d->signal_io)
        return x400ms_error_set(err, X400MS_EIO, "cannot watch the signalfd");
    return 0;
}

/* ---- the two modes ---- */

static int run_check(const struct core_manifest *m, const char *data_dir,
                     const struct x400ms_module *const *builtins)
{
    struct x400ms_error err = { 0 };
    struct x400ms_core *core = core_open(m, data_dir, true, builtins, &err);
    if (!core) {
        fprintf(stderr, "x400msd: %s\n", err.message);
        return 1;
    }
    size_t count = core->module_count;
    core_modules_fini(core);
    core_free(&core);
    printf("x400msd: %s: OK (%zu module%s)\n", m->file, count, count == 1 ? "" : "s");
    return 0;
}

static int run_daemon(const struct daemon_options *opt, const struct core_manifest *m,
                      const char *data_dir, const struct x400ms_module *const *builtins)
{
    struct x400ms_error err = { 0 };
    struct daemon d = { .signal_fd = -1 };
    struct privileges priv;
    int ready_fd = -1, pid_fd = -1, status = 1;
    char *pid_file = NULL;
    const char *log_target = m->log_target;
    bool created;

    /* Root is kept only to bind ports: every file (data dir, log file,
     * module state, keys) is touched as the manifest's user from here on,
     * and root is dropped once the modules have started. */
    if (privileges_plan(&priv, m->user, m->group, opt->allow_root, m->allow_root, &err) != 0) {
        fprintf(stderr, "x400msd: %s: %s\n", m->file, err.message);
        return 1;
    }
    if (make_data_dir(data_dir, &created, &err) != 0 ||
        privileges_data_dir(&priv, data_dir, created, &err) != 0 ||
        privileges_files_as_user(&priv, &err) != 0) {
        fprintf(stderr, "x400msd: %s\n", err.message);
        return 1;
    }
    if (!opt->foreground && strcmp(log_target, "stderr") == 0)
        log_target = "syslog"; /* in the background nobody reads stderr */
    if (x400ms_log_set_target(log_target, &err) != 0) {
        fprintf(stderr, "x400msd: %s: log.target: %s\n", m->file, err.message);
        return 1;
    }
    if (!opt->foreground && (ready_fd = daemonize()) < 0) {
        x400ms_error_set(&err, X400MS_EIO, "cannot go to the background: %s", strerror(errno));
        goto fail;
    }
    pid_file = opt->pid_file ? absolute_path(opt->pid_file) : (m->pid_file ? strdup(m->pid_file) : NULL);
    /* The pid file usually lives in a root-owned /run. */
    privileges_files_as_root(&priv, true);
    if (pid_file)
        pid_fd = pid_file_create(pid_file, &err);
    privileges_files_as_root(&priv, false);
    if (pid_file && pid_fd < 0)
        goto fail;
    if (signals_setup(&d, &err) != 0)
        goto fail;

    unsigned threads = m->threads ? m->threads : default_threads();
    X400MS_LOG_N("x400msd %s starting: manifest %s, data_dir %s, %u loop thread%s, pid %ld",
                 PACKAGE_VERSION, m->file, data_dir, threads, threads == 1 ? "" : "s", (long)getpid());
    if (geteuid() == 0 && !priv.switching)
        X400MS_LOG_W("running as root (--allow-root): every module runs with full privileges; "
                     "set \"user\" in the manifest instead");
    else if (priv.switching)
        X400MS_LOG_N("started as root: files are accessed as user %s (uid %ld); root is dropped once "
                     "the listeners are bound", priv.user, (long)priv.uid);

    d.core = core_open(m, data_dir, false, builtins, &err);
    if (!d.core)
        goto fail;
    int rc = core_modules_start(d.core, &err);
    /* Listeners are bound: drop root before any loop thread serves a peer. */
    if (rc == 0)
        rc = privileges_drop(&priv, &err);
    struct x400ms_error thread_err = { 0 };
    int thread_rc = core_start_loop_threads(d.core, &thread_err);
    if (rc == 0 && thread_rc != 0) {
        rc = thread_rc;
        err = thread_err;
    }
    if (rc != 0) {
        X400MS_LOG_E("%s", err.message);
        begin_shutdown(&d, "start-up failure");
    } else {
        X400MS_LOG_N("x400msd ready");
        report_ready(&ready_fd, 0);
        status = 0;
    }
    struct x400ms_timer *memtrim = core_memtrim_start(d.main_loop);
    x400ms_loop_run(d.main_loop);
    x400ms_timer_remove(&memtrim);
    if (!d.shutting_down)
        begin_shutdown(&d, "main loop ended");

    core_stop_loop_threads(d.core, 2000);
    core_modules_fini(d.core);
    core_free(&d.core);
    X400MS_LOG_N("x400msd stopped");
    goto out;

fail:
    X400MS_LOG_E("%s", err.message);
    if (opt->foreground && strcmp(log_target, "stderr") != 0)
        fprintf(stderr, "x400msd: %s\n", err.message);
    status = 1;
out:
    report_ready(&ready_fd, (char)status);
    x400ms_timer_remove(&d.drain_timer);
    x400ms_io_remove(&d.signal_io);
    x400ms_loop_free(&d.main_loop);
    if (d.signal_fd >= 0)
        close(d.signal_fd);
    if (pid_fd >= 0) {
        /* After the drop of root, a root-owned /run no longer lets us
         * remove it: the lock on it is what shows a running daemon. */
        if (unlink(pid_file) != 0 && errno != ENOENT)
            X400MS_LOG_I("pid file %s left in place: %s", pid_file, strerror(errno));
        close(pid_fd);
    }
    free(pid_file);
    return status;
}

int daemon_run(const struct daemon_options *opt, const struct x400ms_module *const *builtins)
{
    struct x400ms_error err = { 0 };
    struct core_manifest *m = NULL;
    const char *file = opt->manifest ? opt->manifest : X400MS_SYSCONFDIR "/x400ms.json";

    if (core_manifest_load(file, &m, &err) != 0) {
        fprintf(stderr, "x400msd: %s\n", err.message);
        return 1;
    }
    x400ms_log_set_level((enum x400ms_log_level)m->log_level);

    char *data_dir = opt->data_dir ? absolute_path(opt->data_dir) : (m->data_dir ? strdup(m->data_dir) : NULL);
    int status;
    if (!data_dir) {
        fprintf(stderr, "x400msd: %s: data_dir: missing: set it in the manifest or give -d DATA_DIR\n",
                file);
        status = 1;
    } else if (opt->check) {
        status = run_check(m, data_dir, builtins);
    } else {
        status = run_daemon(opt, m, data_dir, builtins);
    }
    free(data_dir);
    core_manifest_free(&m);
    return status;
}
