/* x4test: helpers for integration tests (see x4test.h). */
#define _GNU_SOURCE
#include "tests/lib/x4test.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define X4T_PORTS 4
#define X4T_READY_LINE "x400msd ready"
#define X4T_START_TIMEOUT_MS 30000 /* generous: sanitizer builds on a loaded 2-core box */

struct x4t_daemon {
    pid_t pid;
    char *data_dir;
    char *manifest_path;
    char *log_path;
    int ports[X4T_PORTS];
    int own_data_dir; /* the manifest sets data_dir: no -d */
};

long long x4t_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
    char *s = NULL;
    va_list ap;
    va_start(ap, fmt);
    if (vasprintf(&s, fmt, ap) < 0)
        s = NULL;
    va_end(ap);
    if (!s) {
        fprintf(stderr, "x4test: out of memory\n");
        abort();
    }
    return s;
}

int x4t_free_port(void)
{
    /* The kernel hands out an unused ephemeral port; remember the last few so
     * that one test never gets the same port twice while it is still free. */
    static int recent[16];
    static unsigned n_recent;

    for (int attempt = 0; attempt < 50; attempt++) {
        struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
        socklen_t len = sizeof sa;
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int port = -1;
        if (fd < 0)
            return -1;
        if (bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0 &&
            getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
            port = ntohs(sa.sin_port);
        close(fd);
        if (port < 0)
            return -1;
        int seen = 0;
        for (unsigned i = 0; i < sizeof recent / sizeof recent[0]; i++)
            seen |= recent[i] == port;
        if (!seen) {
            recent[n_recent++ % (sizeof recent / sizeof recent[0])] = port;
            return port;
        }
    }
    return -1;
}

char *x4t_tempdir(const char *tag)
{
    const char *tmp = getenv("TMPDIR");
    char *path = xasprintf("%s/x4t-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp", tag ? tag : "test");
    if (!mkdtemp(path)) {
        fprintf(stderr, "x4test: mkdtemp %s: %s\n", path, strerror(errno));
        free(path);
        return NULL;
    }
    return path;
}

int x4t_rmtree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int rc = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char *child = xasprintf("%s/%s", path, de->d_name);
        if (x4t_rmtree(child) != 0)
            rc = -1;
        free(child);
    }
    closedir(dir);
    if (rmdir(path) != 0)
        rc = -1;
    return rc;
}

char *x4t_read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (cap - len - 1 == 0) {
            char *bigger = realloc(buf, cap * 2);
            if (!bigger) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

int x4t_write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)n;
    }
    return close(fd);
}

char *x4t_replace(const char *text, const char *from, const char *to)
{
    size_t from_len = strlen(from), to_len = strlen(to), count = 0;
    for (const char *p = text; from_len && (p = strstr(p, from)) != NULL; p += from_len)
        count++;
    char *out = malloc(strlen(text) + count * to_len + 1);
    if (!out)
        abort();
    char *w = out;
    const char *p = text, *hit;
    while (from_len && (hit = strstr(p, from)) != NULL) {
        memcpy(w, p, (size_t)(hit - p));
        w += hit - p;
        memcpy(w, to, to_len);
        w += to_len;
        p = hit + from_len;
    }
    strcpy(w, p);
    return out;
}

char *x4t_daemon_program(void)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    return xasprintf("%s/core/x400msd", top && *top ? top : ".");
}

static int wait_status_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

/* Waits up to timeout_ms for pid; returns its status code or -1 on timeout. */
static int reap(pid_t pid, int timeout_ms)
{
    long long deadline = x4t_now_ms() + timeout_ms;
    for (;;) {
        int status;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return wait_status_code(status);
        if (r < 0 && errno != EINTR)
            return -1;
        if (x4t_now_ms() >= deadline)
            return -1;
        sleep_ms(10);
    }
}

int x4t_run(char *const argv[], char **output_r, int timeout_ms)
{
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0)
        return -1;
    pid_t pid = fork();
    if (pid < 0) {
        close(pipefd[0]);
        close(pipefd[1]);
        return -1;
    }
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(pipefd[1], STDOUT_FILENO);
        dup2(pipefd[1], STDERR_FILENO);
        execv(argv[0], argv);
        fprintf(stderr, "x4test: exec %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);

    size_t cap = 4096, len = 0;
    char *out = malloc(cap);
    long long deadline = x4t_now_ms() + timeout_ms;
    int killed = 0;
    for (;;) {
        long long left = deadline - x4t_now_ms();
        if (left <= 0 && !killed) {
            kill(pid, SIGKILL);
            killed = 1;
            left = 1000;
        }
        struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
        int pr = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (pr < 0 && errno != EINTR)
            break;
        if (pr <= 0)
            continue;
        if (cap - len < 1024) {
            cap *= 2;
            out = realloc(out, cap);
            if (!out)
                abort();
        }
        ssize_t n = read(pipefd[0], out + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += (size_t)n;
    }
    close(pipefd[0]);
    out[len] = '\0';
    int status = reap(pid, killed ? 5000 : timeout_ms + 5000);
    if (status < 0) {
        kill(pid, SIGKILL);
        status = reap(pid, 5000);
    }
    if (output_r)
        *output_r = out;
    else
        free(out);
    return status;
}

int x4t_connect(int port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int rc;
    do
        rc = connect(fd, (struct sockaddr *)&sa, sizeof sa);
    while (rc != 0 && errno == EINTR);
    if (rc != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* ---- the daemon ---- */

static void daemon_free(struct x4t_daemon *d, int remove_data)
{
    if (!d)
        return;
    if (remove_data && !getenv("X4T_KEEP"))
        x4t_rmtree(d->data_dir);
    else if (d->data_dir)
        fprintf(stderr, "x4test: kept data dir %s\n", d->data_dir);
    free(d->data_dir);
    free(d->manifest_path);
    free(d->log_path);
    free(d);
}

static void print_log(struct x4t_daemon *d, const char *why)
{
    char *text = x4t_read_file(d->log_path);
    fprintf(stderr, "x4test: %s; daemon log %s:\n%s\n", why, d->log_path, text ? text : "(none)");
    free(text);
}

static pid_t spawn_daemon(struct x4t_daemon *d)
{
    char *program = x4t_daemon_program();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL); /* no daemon outlives a crashed test */
        int fd = open(d->log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
        int null_fd = open("/dev/null", O_RDONLY);
        if (fd < 0 || null_fd < 0)
            _exit(127);
        dup2(null_fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        /* A manifest with its own data_dir (relative to DATA, where the
         * manifest is) keeps it; otherwise DATA is the data directory. */
        char *argv[] = { program, "-f", "-c", d->manifest_path, "-d", d->data_dir, NULL };
        if (d->own_data_dir)
            argv[4] = NULL;
        execv(program, argv);
        fprintf(stderr, "x4test: exec %s: %s\n", program, strerror(errno));
        _exit(127);
    }
    free(program);
    return pid;
}

static struct x4t_daemon *daemon_start(const char *manifest_json, const char *data_dir)
{
    struct x4t_daemon *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (data_dir) {
        d->data_dir = strdup(data_dir);
    } else {
        d->data_dir = x4t_tempdir("daemon");
        if (!d->data_dir) {
            free(d);
            return NULL;
        }
    }
    d->manifest_path = xasprintf("%s/x400msd.json", d->data_dir);
    d->own_data_dir = strstr(manifest_json, "\"data_dir\"") != NULL;
    d->log_path = xasprintf("%s/x400msd.log", d->data_dir);
    if (data_dir) {
        char *old = xasprintf("%s.1", d->log_path);
        rename(d->log_path, old);
        free(old);
    }

    const char *modules = getenv("X400MS_MODULE_PATH");
    char *text = x4t_replace(manifest_json, "@DATA@", d->data_dir);
    char *next = x4t_replace(text, "@MODULES@", modules ? modules : "");
    free(text);
    text = next;
    for (int i = 0; i < X4T_PORTS; i++) {
        char key[16], value[16];
        d->ports[i] = x4t_free_port();
        snprintf(key, sizeof key, "@PORT%d@", i + 1);
        snprintf(value, sizeof value, "%d", d->ports[i]);
        next = x4t_replace(text, key, value);
        free(text);
        text = next;
    }
    int wrote = x4t_write_file(d->manifest_path, text);
    free(text);
    if (wrote != 0) {
        fprintf(stderr, "x4test: cannot write %s: %s\n", d->manifest_path, strerror(errno));
        daemon_free(d, !data_dir);
        return NULL;
    }

    d->pid = spawn_daemon(d);
    if (d->pid < 0) {
        daemon_free(d, !data_dir);
        return NULL;
    }
    if (x4t_daemon_wait_log(d, X4T_READY_LINE, X4T_START_TIMEOUT_MS) != 0) {
        int status = reap(d->pid, 0);
        if (status < 0) {
            kill(d->pid, SIGKILL);
            status = reap(d->pid, 5000);
            print_log(d, "daemon not ready in time (killed)");
        } else {
            char why[64];
            snprintf(why, sizeof why, "daemon exited with status %d before ready", status);
            print_log(d, why);
        }
        daemon_free(d, !data_dir);
        return NULL;
    }
    return d;
}

struct x4t_daemon *x4t_daemon_start(const char *manifest_json)
{
    return daemon_start(manifest_json, NULL);
}

struct x4t_daemon *x4t_daemon_start_in(const char *manifest_json, const char *data_dir)
{
    return daemon_start(manifest_json, data_dir);
}

int x4t_daemon_port(const struct x4t_daemon *d, int n)
{
    return n >= 1 && n <= X4T_PORTS ? d->ports[n - 1] : -1;
}

const char *x4t_daemon_data_dir(const struct x4t_daemon *d) { return d->data_dir; }
const char *x4t_daemon_manifest_path(const struct x4t_daemon *d) { return d->manifest_path; }
const char *x4t_daemon_log_path(const struct x4t_daemon *d) { return d->log_path; }
pid_t x4t_daemon_pid(const struct x4t_daemon *d) { return d->pid; }

char *x4t_daemon_log_text(struct x4t_daemon *d)
{
    char *text = x4t_read_file(d->log_path);
    return text ? text : strdup("");
}

int x4t_daemon_wait_log(struct x4t_daemon *d, const char *substring, int timeout_ms)
{
    long long deadline = x4t_now_ms() + timeout_ms;
    for (;;) {
        char *text = x4t_read_file(d->log_path);
        int seen = text && strstr(text, substring) != NULL;
        free(text);
        if (seen)
            return 0;
        /* A daemon that is gone will never write it: stop waiting (the pid is
         * not reaped here, so the caller still gets its status). */
        siginfo_t info = { 0 };
        if (waitid(P_PID, (id_t)d->pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == d->pid) {
            text = x4t_read_file(d->log_path);
            seen = text && strstr(text, substring) != NULL;
            free(text);
            return seen ? 0 : -1;
        }
        if (x4t_now_ms() >= deadline)
            return -1;
        sleep_ms(20);
    }
}

int x4t_daemon_signal(struct x4t_daemon *d, int signo)
{
    return kill(d->pid, signo);
}

int x4t_daemon_wait_exit(struct x4t_daemon *d, int timeout_ms)
{
    int status = reap(d->pid, timeout_ms);
    if (status < 0)
        return -1;
    if (status != 0)
        print_log(d, "daemon exited with a non-zero status");
    daemon_free(d, 1);
    return status;
}

int x4t_daemon_stop(struct x4t_daemon *d)
{
    if (!d)
        return -1;
    kill(d->pid, SIGTERM);
    int status = reap(d->pid, 10000);
    if (status < 0) {
        kill(d->pid, SIGKILL);
        status = reap(d->pid, 5000);
        print_log(d, "daemon did not stop within 10 s of SIGTERM (killed)");
    } else if (status != 0) {
        print_log(d, "daemon exited with a non-zero status");
    }
    daemon_free(d, 1);
    return status;
}

int x4t_daemon_kill(struct x4t_daemon *d)
{
    if (!d)
        return -1;
    kill(d->pid, SIGKILL);
    int status = reap(d->pid, 10000);
    daemon_free(d, 0);
    return status < 0 ? -1 : 0;
}

int x4t_daemon_fd_count(const struct x4t_daemon *d)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/fd", (int)d->pid);
    DIR *dir = opendir(path);
    if (!dir)
        return -1;
    int count = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL)
        if (de->d_name[0] != '.')
            count++;
    closedir(dir);
    return count;
}

int x4t_file_wait(const char *path, const char *text, int ms)
{
    long long end = x4t_now_ms() + ms;
    for (;;) {
        char *t = x4t_read_file(path);
        int seen = t != NULL && strstr(t, text) != NULL;
        free(t);
        if (seen)
            return 0;
        if (x4t_now_ms() > end)
            return -1;
        usleep(50000);
    }
}

pid_t x4t_spawn_group(const char *cmd, const char *log_path)
{
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        if (log_path) {
            int fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
            if (fd >= 0) {
                dup2(fd, 1);
                dup2(fd, 2);
                close(fd);
            }
        }
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    if (pid > 0)
        setpgid(pid, pid); /* in the parent too: no race with an early stop */
    return pid;
}

void x4t_stop_group(pid_t pid)
{
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    for (int i = 0; i < 100; i++) {
        if (waitpid(pid, NULL, WNOHANG) == pid) {
            kill(-pid, SIGKILL); /* anything of the group still there */
            return;
        }
        usleep(50000);
    }
    kill(-pid, SIGKILL);
    waitpid(pid, NULL, 0);
}

int x4t_mta_serve_init(struct x4t_mta_serve *s, const char *tag)
{
    memset(s, 0, sizeof *s);
    s->pid = -1;
    s->dir = x4t_tempdir(tag);
    if (s->dir == NULL)
        return -1;
    snprintf(s->out_path, sizeof s->out_path, "%s/submissions.jsonl", s->dir);
    snprintf(s->log_path, sizeof s->log_path, "%s/serve.log", s->dir);
    s->port = x4t_free_port();
    return s->port > 0 ? 0 : -1;
}

int x4t_mta_serve_start(struct x4t_mta_serve *s, const char *mta_name, const char *password,
                        int delay_s, const char *extra)
{
    const char *build = getenv("X400MS_TOP_BUILDDIR");
    char cmd[4096];
    int n = snprintf(cmd, sizeof cmd,
                     "sleep %d; exec '%s/tools/x400ms-mta' serve --listen 127.0.0.1:%d"
                     " --mta-name '%s' --password '%s' --out '%s' %s",
                     delay_s, build ? build : ".", s->port, mta_name, password, s->out_path,
                     extra);
    if (n < 0 || (size_t)n >= sizeof cmd)
        return -1;
    s->pid = x4t_spawn_group(cmd, s->log_path);
    return s->pid > 0 ? 0 : -1;
}

void x4t_mta_serve_fini(struct x4t_mta_serve *s)
{
    x4t_stop_group(s->pid);
    s->pid = -1;
    if (s->dir != NULL) {
        x4t_rmtree(s->dir);
        free(s->dir);
        s->dir = NULL;
    }
}

size_t x4t_count_lines(const char *path)
{
    char *t = x4t_read_file(path);
    size_t n = 0;
    for (const char *p = t; p != NULL && *p != '\0'; p++)
        if (*p == '\n')
            n++;
    free(t);
    return n;
}

size_t x4t_lines_wait(const char *path, size_t n, int ms)
{
    long long end = x4t_now_ms() + ms;
    size_t got;
    while ((got = x4t_count_lines(path)) < n && x4t_now_ms() < end)
        usleep(50000);
    return got;
}
