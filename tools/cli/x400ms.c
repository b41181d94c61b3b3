/* x400ms: the P7 command-line client (a small X.400 User Agent), built on
 * the P7 client library (include/x400ms/client.h). */
#define _GNU_SOURCE /* strptime, timegm */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli/cli.h"
#include "x400ms/client.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: x400ms [-H HOST:PORT] [--tls [--ca FILE]] -u ORADDR\n"
            "              [-p PASSWORD | --password-file FILE] [--94] [--json] COMMAND [ARGS]\n"
            "\n"
            "commands:\n"
            "  summarize                          counts of the In Box by status and priority\n"
            "  list [--new] [--priority urgent|normal|non-urgent] [--since TIME] [--limit N]\n"
            "                                     entries (TIME: 30m, 2h, 3d ago, or YYYY-MM-DD[Thh:mm:ss] UTC)\n"
            "  fetch SEQ [--out FILE]             one entry; its content to FILE (or stdout)\n"
            "  delete SEQ...                      delete entries\n"
            "  passwd                             change the password (new one on stdin)\n"
            "  send --to ORADDR... [--cc ORADDR...] --subject S (--body TEXT | --body-file F)\n"
            "       [--priority urgent|normal|non-urgent] [--receipt]\n"
            "                                     submit an IPM through the Message Store\n"
            "  watch [--count N] [--timeout SECONDS]\n"
            "                                     register auto-alert and print each alert\n"
            "\n"
            "options:\n"
            "  -H HOST:PORT   the Message Store (default 127.0.0.1:10102)\n"
            "  -u ORADDR      your O/R address, e.g. \"/C=XX/A= /P=TEST/O=Org/S=alice/\"\n"
            "  --94           use ms-access-94 (default ms-access-88)\n"
            "  --json         machine-readable output\n"
            "\n"
            "exit codes: 0 success, 1 usage error, 2 cannot connect or bind (wrong name or\n"
            "password), 3 the Message Store offers no such service (e.g. no MTS for send),\n"
            "4 the Message Store (or the MTS through it) answered an error\n");
}

static const char *const status_names[] = { "new", "listed", "processed" };
static const char *const priority_names[] = { "normal", "non-urgent", "urgent" };

static const char *status_name(int s) { return s >= 0 && s < 3 ? status_names[s] : "-"; }
static const char *priority_name(int p) { return p >= 0 && p < 3 ? priority_names[p] : "-"; }

void cli_json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20)
            printf("\\u%04x", (unsigned char)*s);
        else
            putchar(*s);
    }
    putchar('"');
}

static void time_text(int64_t t, char *buf, size_t size)
{
    if (t <= 0) {
        snprintf(buf, size, "-");
        return;
    }
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* "30m", "2h", "3d" ago, or an absolute UTC date. */
static int parse_since(const char *text, int64_t *out)
{
    char *end;
    long long v = strtoll(text, &end, 10);
    if (end != text && (strcmp(end, "s") == 0 || strcmp(end, "m") == 0 || strcmp(end, "h") == 0 ||
                        strcmp(end, "d") == 0)) {
        long long mul = *end == 's' ? 1 : *end == 'm' ? 60 : *end == 'h' ? 3600 : 86400;
        *out = (int64_t)time(NULL) - v * mul;
        return 0;
    }
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    const char *rest = strptime(text, "%Y-%m-%d", &tm);
    if (rest == NULL)
        return -1;
    if (*rest == 'T' && (rest = strptime(rest + 1, "%H:%M:%S", &tm)) == NULL)
        return -1;
    if (*rest != '\0' && strcmp(rest, "Z") != 0)
        return -1;
    *out = (int64_t)timegm(&tm);
    return 0;
}

int cli_ms_error(struct x400ms_client *c, const struct x400ms_error *err)
{
    int64_t code, problem;
    x400ms_client_last_error(c, &code, &problem, NULL, NULL);
    fprintf(stderr, "x400ms: %s\n", err->message);
    /* service-error (27) unavailable (1): the MS does not offer it here */
    if (err->code == X400MS_EPERM && code == 27 && problem == 1)
        return EXIT_UNAVAILABLE;
    return EXIT_MS_ERROR;
}

static int cmd_summarize(struct x400ms_client *c, bool json)
{
    struct x400ms_client_summary s;
    struct x400ms_error err;
    if (x400ms_client_summarize(c, 0, NULL, &s, &err) < 0)
        return cli_ms_error(c, &err);
    if (json) {
        printf("{\"count\": %llu, \"lowest\": %u, \"highest\": %u, \"new\": %llu, \"listed\": %llu, "
               "\"processed\": %llu, \"urgent\": %llu, \"normal\": %llu, \"non_urgent\": %llu}\n",
               (unsigned long long)s.count, s.lowest, s.highest,
               (unsigned long long)s.by_status[0], (unsigned long long)s.by_status[1],
               (unsigned long long)s.by_status[2], (unsigned long long)s.by_priority[2],
               (unsigned long long)s.by_priority[0], (unsigned long long)s.by_priority[1]);
        return EXIT_OK;
    }
    printf("entries    %llu (sequence numbers %u..%u)\n", (unsigned long long)s.count, s.lowest,
           s.highest);
    printf("new        %llu\nlisted     %llu\nprocessed  %llu\n", (unsigned long long)s.by_status[0],
           (unsigned long long)s.by_status[1], (unsigned long long)s.by_status[2]);
    printf("urgent     %llu\nnormal     %llu\nnon-urgent %llu\n", (unsigned long long)s.by_priority[2],
           (unsigned long long)s.by_priority[0], (unsigned long long)s.by_priority[1]);
    return EXIT_OK;
}

static int cmd_list(struct x400ms_client *c, int argc, char **argv, bool json)
{
    struct x400ms_client_selector sel = X400MS_CLIENT_SELECTOR_INIT;
    sel.limit = 100;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--new") == 0) {
            sel.status = 0;
        } else if (strcmp(argv[i], "--priority") == 0 && i + 1 < argc) {
            const char *p = argv[++i];
            sel.priority = strcmp(p, "urgent") == 0 ? 2 : strcmp(p, "normal") == 0 ? 0
                         : strcmp(p, "non-urgent") == 0 ? 1 : -2;
            if (sel.priority == -2) {
                fprintf(stderr, "x400ms: --priority: expected urgent, normal or non-urgent\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--since") == 0 && i + 1 < argc) {
            if (parse_since(argv[++i], &sel.time_from) < 0) {
                fprintf(stderr, "x400ms: --since: expected 30m, 2h, 3d or YYYY-MM-DD[Thh:mm:ss]\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(argv[i], "--limit") == 0 && i + 1 < argc) {
            sel.limit = (uint32_t)strtoul(argv[++i], NULL, 10);
        } else {
            fprintf(stderr, "x400ms: list: unknown argument %s\n", argv[i]);
            return EXIT_USAGE;
        }
    }
    struct x400ms_client_list l;
    struct x400ms_error err;
    if (x400ms_client_list(c, 0, &sel, NULL, &l, &err) < 0)
        return cli_ms_error(c, &err);
    if (json)
        printf("{\"entries\": [");
    else
        printf("%8s  %-9s  %-10s  %-20s  %8s  %-30s  %s\n", "SEQ", "STATUS", "PRIORITY", "DELIVERED",
               "LENGTH", "FROM", "SUBJECT");
    for (size_t i = 0; i < l.n; i++) {
        const struct x400ms_client_entry *e = &l.entries[i];
        char when[32];
        time_text(e->delivery_time ? e->delivery_time : e->creation_time, when, sizeof when);
        if (json) {
            printf("%s{\"seq\": %u, \"status\": \"%s\", \"priority\": \"%s\", \"delivered\": \"%s\", "
                   "\"length\": %lld, \"from\": ", i ? ", " : "", e->seq, status_name(e->status),
                   priority_name(e->priority), when, (long long)e->content_length);
            cli_json_str(e->originator);
            printf(", \"subject\": ");
            cli_json_str(e->subject);
            printf("}");
        } else {
            printf("%8u  %-9s  %-10s  %-20s  %8lld  %-30.30s  %s\n", e->seq, status_name(e->status),
                   priority_name(e->priority), when, (long long)e->content_length, e->originator,
                   e->subject);
        }
    }
    if (json)
        printf("], \"next\": %u}\n", l.next);
    else if (l.next)
        printf("(more: the next sequence number is %u)\n", l.next);
    x400ms_client_list_free(&l);
    return EXIT_OK;
}

static int cmd_fetch(struct x400ms_client *c, int argc, char **argv, bool json)
{
    if (argc < 1) {
        fprintf(stderr, "x400ms: fetch: a sequence number is needed\n");
        return EXIT_USAGE;
    }
    uint32_t seq = (uint32_t)strtoul(argv[0], NULL, 10);
    const char *out = NULL;
    if (argc >= 3 && strcmp(argv[1], "--out") == 0)
        out = argv[2];
    struct x400ms_client_entry e;
    struct x400ms_error err;
    if (x400ms_client_fetch(c, 0, seq, NULL, &e, &err) < 0)
        return cli_ms_error(c, &err);
    if (out != NULL) {
        FILE *f = fopen(out, "wb");
        if (f == NULL || fwrite(e.content, 1, e.content_len, f) != e.content_len || fclose(f) != 0) {
            fprintf(stderr, "x400ms: %s: %s\n", out, strerror(errno));
            x400ms_client_entry_free(&e);
            return EXIT_USAGE;
        }
    }
    char when[32];
    time_text(e.delivery_time ? e.delivery_time : e.creation_time, when, sizeof when);
    if (json) {
        printf("{\"seq\": %u, \"status\": \"%s\", \"priority\": \"%s\", \"delivered\": \"%s\", "
               "\"length\": %zu, \"from\": ", e.seq, status_name(e.status), priority_name(e.priority),
               when, e.content_len);
        cli_json_str(e.originator);
        printf(", \"subject\": ");
        cli_json_str(e.subject);
        printf("}\n");
    } else {
        printf("Sequence:  %u\nFrom:      %s\nTo:        %s\nSubject:   %s\nPriority:  %s\n"
               "Delivered: %s\nLength:    %zu\n", e.seq, e.originator, e.this_recipient, e.subject,
               priority_name(e.priority), when, e.content_len);
        if (out == NULL && e.content_len > 0) {
            printf("\n");
            fwrite(e.content, 1, e.content_len, stdout);
            printf("\n");
        }
    }
    x400ms_client_entry_free(&e);
    return EXIT_OK;
}

static int cmd_delete(struct x400ms_client *c, int argc, char **argv, bool json)
{
    if (argc < 1) {
        fprintf(stderr, "x400ms: delete: sequence numbers are needed\n");
        return EXIT_USAGE;
    }
    uint32_t *seqs = calloc((size_t)argc, sizeof *seqs);
    for (int i = 0; i < argc; i++)
        seqs[i] = (uint32_t)strtoul(argv[i], NULL, 10);
    struct x400ms_error err;
    int rc = x400ms_client_delete(c, 0, seqs, (size_t)argc, NULL, &err);
    free(seqs);
    if (rc < 0)
        return cli_ms_error(c, &err);
    if (json)
        printf("{\"deleted\": %d}\n", argc);
    else
        printf("%d entr%s deleted\n", argc, argc == 1 ? "y" : "ies");
    return EXIT_OK;
}

static int cmd_passwd(struct x400ms_client *c, const char *old)
{
    char buf[128];
    fprintf(stderr, "new password: ");
    if (fgets(buf, sizeof buf, stdin) == NULL)
        return EXIT_USAGE;
    buf[strcspn(buf, "\r\n")] = '\0';
    struct x400ms_client_register r = { .old_password = old, .new_password = buf };
    struct x400ms_error err;
    if (x400ms_client_register_ms(c, &r, &err) < 0)
        return cli_ms_error(c, &err);
    printf("password changed\n");
    return EXIT_OK;
}

static char *read_password_file(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    char buf[256];
    char *pw = NULL;
    if (fgets(buf, sizeof buf, f) != NULL) {
        buf[strcspn(buf, "\r\n")] = '\0';
        pw = strdup(buf);
    }
    fclose(f);
    return pw;
}

int main(int argc, char **argv)
{
    static const struct option opts[] = {
        { "host", required_argument, NULL, 'H' }, { "user", required_argument, NULL, 'u' },
        { "password", required_argument, NULL, 'p' }, { "password-file", required_argument, NULL, 'F' },
        { "tls", no_argument, NULL, 'T' }, { "ca", required_argument, NULL, 'C' },
        { "json", no_argument, NULL, 'j' }, { "94", no_argument, NULL, '9' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 },
    };
    struct x400ms_client_params p = X400MS_CLIENT_PARAMS_INIT;
    char host[256] = "127.0.0.1";
    char *password = NULL;
    bool json = false;
    int o;
    while ((o = getopt_long(argc, argv, "+H:u:p:h", opts, NULL)) != -1) {
        switch (o) {
        case 'H': {
            snprintf(host, sizeof host, "%s", optarg);
            char *colon = strrchr(host, ':');
            if (colon != NULL) {
                *colon = '\0';
                p.port = atoi(colon + 1);
            }
            break;
        }
        case 'u': p.or_address = optarg; break;
        case 'p': free(password); password = strdup(optarg); break;
        case 'F':
            free(password);
            if ((password = read_password_file(optarg)) == NULL) {
                fprintf(stderr, "x400ms: cannot read %s: %s\n", optarg, strerror(errno));
                return EXIT_USAGE;
            }
            break;
        case 'T': p.tls = true; break;
        case 'C': p.tls_ca_file = optarg; break;
        case 'j': json = true; break;
        case '9': p.version = X400MS_CLIENT_MS_94; break;
        case 'h': usage(stdout); return EXIT_OK;
        default: usage(stderr); return EXIT_USAGE;
        }
    }
    if (optind >= argc || p.or_address == NULL) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[optind];
    int cargc = argc - optind - 1;
    char **cargv = argv + optind + 1;
    /* arguments are checked before connecting */
    if ((strcmp(cmd, "send") == 0 && cmd_send_check(cargc, cargv) != EXIT_OK) ||
        (strcmp(cmd, "watch") == 0 && cmd_watch_check(cargc, cargv) != EXIT_OK)) {
        free(password);
        return EXIT_USAGE;
    }
    if (strcmp(cmd, "summarize") != 0 && strcmp(cmd, "list") != 0 && strcmp(cmd, "fetch") != 0 &&
        strcmp(cmd, "delete") != 0 && strcmp(cmd, "passwd") != 0 && strcmp(cmd, "send") != 0 &&
        strcmp(cmd, "watch") != 0) {
        fprintf(stderr, "x400ms: unknown command %s\n", cmd);
        usage(stderr);
        return EXIT_USAGE;
    }
    p.host = host;
    p.password = password ? password : "";
    struct x400ms_client *c;
    struct x400ms_error err;
    if (x400ms_client_bind(&p, &c, NULL, &err) < 0) {
        fprintf(stderr, "x400ms: %s\n", err.message);
        free(password);
        return EXIT_BIND;
    }
    int rc;
    if (strcmp(cmd, "summarize") == 0)
        rc = cmd_summarize(c, json);
    else if (strcmp(cmd, "list") == 0)
        rc = cmd_list(c, cargc, cargv, json);
    else if (strcmp(cmd, "fetch") == 0)
        rc = cmd_fetch(c, cargc, cargv, json);
    else if (strcmp(cmd, "delete") == 0)
        rc = cmd_delete(c, cargc, cargv, json);
    else if (strcmp(cmd, "send") == 0)
        rc = cmd_send(c, p.or_address, cargc, cargv, json);
    else if (strcmp(cmd, "watch") == 0)
        rc = cmd_watch(c, cargc, cargv, json);
    else
        rc = cmd_passwd(c, p.password);
    x400ms_client_unbind(&c);
    free(password);
    return rc;
}
