/* x400msd: the X.400 Message Store daemon. */
#include "config.h"
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/daemon.h"

/* core/builtin-modules.c (generated from --enable-NAME=static). */
extern const struct x400ms_module *const core_builtin_modules[];

static void usage(FILE *out)
{
    fprintf(out,
            "usage: x400msd [-f] [-t] [-c MANIFEST] [-d DATA_DIR] [-p PID_FILE]\n"
            "  -c, --config MANIFEST  module manifest (default %s/x400ms.json)\n"
            "  -t, --test             check the manifest and every module's config, then exit 0/1\n"
            "  -f, --foreground       stay in the foreground (log.target stderr logs to stderr)\n"
            "  -d, --data-dir DIR     data directory, overriding the manifest's data_dir\n"
            "  -p, --pid-file FILE    write the pid here, overriding the manifest's pid_file\n"
            "      --allow-root       run as root when the manifest has no \"user\" (also\n"
            "                         X400MS_ALLOW_ROOT=1); without it x400msd refuses to\n"
            "                         run as root unless it can drop root to \"user\"\n"
            "      --version          print the version and module ABI, then exit\n"
            "  -h, --help             this text\n"
            "Signals: SIGTERM/SIGINT stop cleanly, SIGHUP reopens the log file.\n",
            X400MS_SYSCONFDIR);
}

int main(int argc, char **argv)
{
    static const struct option long_options[] = {
        { "config", required_argument, NULL, 'c' },
        { "test", no_argument, NULL, 't' },
        { "foreground", no_argument, NULL, 'f' },
        { "data-dir", required_argument, NULL, 'd' },
        { "pid-file", required_argument, NULL, 'p' },
        { "version", no_argument, NULL, 'V' },
        { "allow-root", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct daemon_options opt = { 0 };
    const char *allow_root = getenv("X400MS_ALLOW_ROOT");
    int c;

    opt.allow_root = allow_root && strcmp(allow_root, "1") == 0;

    while ((c = getopt_long(argc, argv, "c:tfd:p:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'c': opt.manifest = optarg; break;
        case 't': opt.check = true; break;
        case 'f': opt.foreground = true; break;
        case 'd': opt.data_dir = optarg; break;
        case 'p': opt.pid_file = optarg; break;
        case 'R': opt.allow_root = true; break;
        case 'V':
            printf("x400msd %s (module ABI %d)\n", PACKAGE_VERSION, X400MS_ABI_VERSION);
            return 0;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "x400msd: unexpected argument \"%s\"\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return daemon_run(&opt, core_builtin_modules);
}
