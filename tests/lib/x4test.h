/* x4test: helpers for x400ms integration tests.
 *
 * Tests start the real build-tree daemon as a child process, talk to it over
 * real sockets on 127.0.0.1 and stop it again. Everything is found through
 * the environment make check sets (Makefile.am AM_TESTS_ENVIRONMENT):
 * X400MS_TOP_BUILDDIR, X400MS_TOP_SRCDIR, X400MS_MODULE_PATH. Setting X4T_KEEP
 * keeps every data directory (and its log) for a post-mortem. */
#ifndef X4TEST_H
#define X4TEST_H

#include <stddef.h>
#include <sys/types.h>

int x4t_free_port(void);                 /* a free TCP port on 127.0.0.1 */
char *x4t_tempdir(const char *tag);      /* mkdtemp under $TMPDIR or /tmp; caller frees */
int x4t_rmtree(const char *path);

struct x4t_daemon;
/* Starts the real build-tree x400msd (X400MS_TOP_BUILDDIR/core/x400msd) in the foreground as a
 * child process on a manifest given as JSON text. In the text, "@DATA@" is replaced by a fresh
 * data dir, "@PORT1@".."@PORT4@" by free ports (x4t_daemon_port(d, 1..4) returns them), and
 * "@MODULES@" by X400MS_MODULE_PATH. stderr goes to a log file in the data dir. Waits until the
 * daemon logged its ready line (or exited: then returns NULL and prints the log).
 * The daemon runs as `x400msd -f -c DATA/x400msd.json -d DATA`; a manifest that sets "data_dir"
 * itself is run without -d (its relative data_dir is then relative to DATA). */
struct x4t_daemon *x4t_daemon_start(const char *manifest_json);
struct x4t_daemon *x4t_daemon_start_in(const char *manifest_json, const char *data_dir); /* restart on kept data */
int x4t_daemon_port(const struct x4t_daemon *d, int n);
const char *x4t_daemon_data_dir(const struct x4t_daemon *d);
pid_t x4t_daemon_pid(const struct x4t_daemon *d);
int x4t_daemon_wait_log(struct x4t_daemon *d, const char *substring, int timeout_ms); /* 0 if seen */
char *x4t_daemon_log_text(struct x4t_daemon *d);   /* whole log so far; caller frees */
int x4t_daemon_stop(struct x4t_daemon *d);  /* SIGTERM, wait <= 10 s (then SIGKILL); returns exit status; frees; removes data dir unless X4T_KEEP is set */
int x4t_daemon_kill(struct x4t_daemon *d);  /* SIGKILL, reap, free, KEEP the data dir */
int x4t_connect(int port);                  /* blocking TCP connect to 127.0.0.1:port, -1 on failure */

/* ---- additions ---- */

/* Where the daemon's manifest and log live: DATA/x400msd.json and
 * DATA/x400msd.log (a restart by x4t_daemon_start_in moves the old log to
 * DATA/x400msd.log.1). */
const char *x4t_daemon_manifest_path(const struct x4t_daemon *d);
const char *x4t_daemon_log_path(const struct x4t_daemon *d);
/* Sends a signal to the daemon (e.g. SIGHUP); 0 or -1. */
int x4t_daemon_signal(struct x4t_daemon *d, int signo);
/* Waits up to timeout_ms for the daemon to exit by itself; returns its exit
 * status (128 + signal when killed by one) and frees d like x4t_daemon_stop,
 * or -1 on timeout (d stays valid). */
int x4t_daemon_wait_exit(struct x4t_daemon *d, int timeout_ms);
/* Number of open file descriptors of the daemon (/proc/PID/fd), -1 on error. */
int x4t_daemon_fd_count(const struct x4t_daemon *d);

/* The daemon program path (X400MS_TOP_BUILDDIR/core/x400msd); caller frees. */
char *x4t_daemon_program(void);
/* Runs argv (argv[0] a path) with stdout and stderr captured together into
 * *output_r (caller frees; may be NULL to discard). Kills it after timeout_ms.
 * Returns its exit status, 128 + signal if killed by one, -1 on failure. */
int x4t_run(char *const argv[], char **output_r, int timeout_ms);

/* Whole file as a NUL-terminated string (caller frees), NULL on error. */
char *x4t_read_file(const char *path);
/* Writes text to path (created 0600, truncated); 0 or -1. */
int x4t_write_file(const char *path, const char *text);
/* text with every "from" replaced by "to"; caller frees. */
char *x4t_replace(const char *text, const char *from, const char *to);
/* Milliseconds on the monotonic clock. */
long long x4t_now_ms(void);
/* Waits until `text` appears in the file at path; 0 if seen within ms, -1 if not. */
int x4t_file_wait(const char *path, const char *text, int ms);

/* Runs `sh -c cmd` in a process group of its own (a libtool wrapper may run
 * the real program as its child), stdout and stderr appended to log_path
 * (NULL: inherited). Returns the pid (= the group id) or -1. */
pid_t x4t_spawn_group(const char *cmd, const char *log_path);
/* SIGTERM to the whole group, up to 5 s for the leader to exit, then SIGKILL
 * to what is left; reaps the leader. No-op for pid <= 0. */
void x4t_stop_group(pid_t pid);

/* `x400ms-mta serve` (X400MS_TOP_BUILDDIR/tools/x400ms-mta) as an upstream
 * MTA on 127.0.0.1, for the tests of the P3 initiator and the MTA relay. */
struct x4t_mta_serve {
    char *dir;                          /* a fresh temp dir holding out and log */
    char out_path[512];                 /* one JSON line per submission it takes */
    char log_path[512];                 /* its stdout and stderr */
    int port;                           /* a free port it will listen on */
    pid_t pid;                          /* its process group, -1 while not started */
};
/* Picks the dir (x4t_tempdir(tag)) and the port; starts nothing. 0 or -1. */
int x4t_mta_serve_init(struct x4t_mta_serve *s, const char *tag);
/* Starts it named mta_name, taking password, in a process group of its own;
 * extra is more options ("" for none). With delay_s > 0 it starts that many
 * seconds later (sh sleeps, then execs it: the pid stays the one to stop).
 * Sets s->pid; 0 or -1. */
int x4t_mta_serve_start(struct x4t_mta_serve *s, const char *mta_name, const char *password,
                        int delay_s, const char *extra);
/* Stops it (x4t_stop_group) when started, removes the dir, frees. */
void x4t_mta_serve_fini(struct x4t_mta_serve *s);

/* The number of lines ('\n') in the file at path (0 when it is absent). */
size_t x4t_count_lines(const char *path);
/* Waits up to ms for at least n lines in the file at path; the count seen last. */
size_t x4t_lines_wait(const char *path, size_t n, int ms);

#endif
