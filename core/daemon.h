/* x400msd: the daemon's life from the manifest to a clean exit. */
#ifndef X400MS_CORE_DAEMON_H
#define X400MS_CORE_DAEMON_H

#include <stdbool.h>
#include "x400ms/module.h"

struct daemon_options {
    const char *manifest;  /* -c */
    const char *data_dir;  /* -d: overrides the manifest's data_dir */
    const char *pid_file;  /* -p: overrides the manifest's pid_file */
    bool check;            /* -t: check manifest and module configs, then exit */
    bool foreground;       /* -f */
    bool allow_root;       /* --allow-root or X400MS_ALLOW_ROOT=1: run as root without "user" */
};

/* Runs the daemon (or the -t check) and returns the process exit status.
 * builtins: the modules linked into the program (NULL-terminated). */
int daemon_run(const struct daemon_options *opt, const struct x400ms_module *const *builtins);

#endif
