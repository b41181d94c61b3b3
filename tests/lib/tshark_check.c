/* tshark check for the protocol tests (see tshark_check.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/lib/tshark_check.h"

const char *x4_tshark_path(void)
{
    const char *t = getenv("TSHARK");
    return t && *t ? t : NULL;
}

static void append(char *buf, size_t size, size_t *used, const char *line)
{
    size_t n = strlen(line);
    if (!buf || size == 0 || *used + 1 >= size)
        return;
    if (n > size - *used - 1)
        n = size - *used - 1;
    memcpy(buf + *used, line, n);
    *used += n;
    buf[*used] = 0;
}

/* Runs cmd, feeds every output line to the scanner; returns the exit status
 * or -1. */
static int run(const char *cmd, int (*scan)(const char *line, void *arg), void *arg)
{
    FILE *f = popen(cmd, "r");
    char line[4096];
    if (!f)
        return -1;
    while (fgets(line, sizeof(line), f))
        scan(line, arg);
    return pclose(f);
}

struct scan_state {
    char *report;
    size_t size, used;
    char *verbose;
    size_t vsize, vused;
    int bad;
    int in_errors;
};

static int scan_verbose(const char *line, void *arg)
{
    struct scan_state *s = arg;
    append(s->verbose, s->vsize, &s->vused, line);
    if (strstr(line, "Malformed") || strstr(line, "[Expert Info (Error")) {
        s->bad = 1;
        append(s->report, s->size, &s->used, line);
    }
    return 0;
}

static int scan_expert(const char *line, void *arg)
{
    struct scan_state *s = arg;
    if (strncmp(line, "Errors (", 8) == 0) {
        s->bad = 1;
        s->in_errors = 1;
    }
    if (s->in_errors)
        append(s->report, s->size, &s->used, line);
    return 0;
}

int x4_tshark_check(const char *pcap, uint16_t port, char *report, size_t report_size, char *verbose_out,
                    size_t verbose_size)
{
    const char *tshark = x4_tshark_path();
    char cmd[2048];
    struct scan_state s = { report, report_size, 0, verbose_out, verbose_size, 0, 0, 0 };

    if (report && report_size)
        report[0] = 0;
    if (verbose_out && verbose_size)
        verbose_out[0] = 0;
    if (!tshark)
        return -1;
    snprintf(cmd, sizeof(cmd), "'%s' -r '%s' -d tcp.port==%u,tpkt -V 2>/dev/null", tshark, pcap, port);
    if (run(cmd, scan_verbose, &s) != 0)
        return -1;
    snprintf(cmd, sizeof(cmd), "'%s' -r '%s' -d tcp.port==%u,tpkt -q -z expert,error 2>/dev/null", tshark,
             pcap, port);
    if (run(cmd, scan_expert, &s) != 0)
        return -1;
    return s.bad ? 1 : 0;
}
