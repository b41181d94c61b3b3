/* Logging (include/x400ms/log.h): one line per call, written with one
 * write(2) so that lines of different threads never interleave. Targets:
 * stderr, syslog, or a file that SIGHUP reopens (log rotation). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include "x400ms/log.h"

enum log_target { TARGET_STDERR, TARGET_SYSLOG, TARGET_FILE };

static const char *const level_names[] = { "error", "warning", "notice", "info", "debug" };
static const int syslog_priorities[] = { LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG };

static _Atomic int log_level = X400MS_LOG_INFO;
static _Atomic int log_target = TARGET_STDERR;
/* The file target's descriptor; reopen dup2()s a fresh one over it so that
 * writers never see a closed descriptor. */
static _Atomic int log_fd = STDERR_FILENO;
static char log_path[4096];

bool x400ms_log_enabled(enum x400ms_log_level level)
{
    return (int)level <= atomic_load_explicit(&log_level, memory_order_relaxed);
}

void x400ms_log_set_level(enum x400ms_log_level level)
{
    atomic_store(&log_level, (int)level);
}

int x400ms_log_level_parse(const char *name)
{
    for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
        if (name && strcasecmp(name, level_names[i]) == 0)
            return (int)i;
    return -1;
}

static int open_log_file(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
}

int x400ms_log_set_target(const char *target, struct x400ms_error *err)
{
    if (!target || !*target || strcmp(target, "stderr") == 0 || strcmp(target, "syslog") == 0) {
        bool to_syslog = target && strcmp(target, "syslog") == 0;
        if (to_syslog)
            openlog("x400msd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
        atomic_store(&log_target, to_syslog ? TARGET_SYSLOG : TARGET_STDERR);
        int old = atomic_exchange(&log_fd, STDERR_FILENO);
        if (old > STDERR_FILENO)
            close(old);
        return 0;
    }
    if (strlen(target) >= sizeof log_path)
        return x400ms_error_set(err, X400MS_EINVAL, "log target path too long");
    int fd = open_log_file(target);
    if (fd < 0)
        return x400ms_error_set(err, X400MS_EIO, "cannot open log file %s: %s", target,
                                strerror(errno));
    strcpy(log_path, target);
    int old = atomic_exchange(&log_fd, fd);
    atomic_store(&log_target, TARGET_FILE);
    if (old > STDERR_FILENO)
        close(old);
    return 0;
}

int x400ms_log_reopen(void)
{
    if (atomic_load(&log_target) != TARGET_FILE)
        return 0;
    int fd = open_log_file(log_path);
    if (fd < 0)
        return X400MS_EIO;
    /* dup2 replaces the descriptor atomically: a concurrent writer writes to
     * either the old or the new file, never to a closed descriptor. */
    int cur = atomic_load(&log_fd);
    int rc = dup2(fd, cur) < 0 ? X400MS_EIO : 0;
    close(fd);
    return rc;
}

/* Control characters would split a line or forge one: show them as spaces. */
static void sanitize(char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)s[i] < 0x20 && s[i] != '\t')
            s[i] = ' ';
}

void x400ms_logv(enum x400ms_log_level level, const char *module, const char *fmt, va_list ap)
{
    if (!x400ms_log_enabled(level))
        return;
    if ((unsigned)level > X400MS_LOG_DEBUG)
        level = X400MS_LOG_DEBUG;
    if (!module)
        module = "?";

    char line[4096];
    size_t len = 0;
    int target = atomic_load(&log_target);

    if (target != TARGET_SYSLOG) {
        struct timespec ts;
        struct tm tm;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        len = strftime(line, sizeof line, "%Y-%m-%dT%H:%M:%S", &tm);
        len += (size_t)snprintf(line + len, sizeof line - len, ".%03ldZ ", ts.tv_nsec / 1000000);
    }
    int n = snprintf(line + len, sizeof line - len, "%s [%s] ", level_names[level], module);
    if (n > 0)
        len += (size_t)n < sizeof line - len ? (size_t)n : sizeof line - len - 1;
    size_t msg_start = len;
    n = vsnprintf(line + len, sizeof line - len, fmt, ap);
    if (n > 0)
        len += (size_t)n < sizeof line - len ? (size_t)n : sizeof line - len - 1;
    sanitize(line + msg_start, len - msg_start);

    if (target == TARGET_SYSLOG) {
        /* syslog adds its own time stamp; keep "[module] message". */
        syslog(syslog_priorities[level], "%s", line + strlen(level_names[level]) + 1);
        return;
    }
    if (len > sizeof line - 2)
        len = sizeof line - 2;
    line[len++] = '\n';
    int fd = atomic_load(&log_fd);
    size_t off = 0;
    while (off < len) {
        ssize_t w = write(fd, line + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break; /* nowhere left to report a failing log */
        off += (size_t)w;
    }
}

void x400ms_log(enum x400ms_log_level level, const char *module, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    x400ms_logv(level, module, fmt, ap);
    va_end(ap);
}
