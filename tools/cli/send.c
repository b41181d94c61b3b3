/* x400ms send: an IPM submitted through the Message Store (X.413 8.3
 * indirect submission; the client library builds the X.420 IPM and the
 * X.411 envelope). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "tools/cli/cli.h"

#define SEND_MAX 64

struct send_args {
    const char *to[SEND_MAX + 1];
    const char *cc[SEND_MAX + 1];
    size_t n_to, n_cc;
    const char *subject;
    const char *body;
    const char *body_file;
    int priority;
    bool receipt;
};

static bool is_option(const char *a)
{
    return strncmp(a, "--", 2) == 0;
}

/* Options may repeat (--to A --to B) or take several values (--to A B). */
static int parse(int argc, char **argv, struct send_args *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *o = argv[i];
        if (strcmp(o, "--to") == 0 || strcmp(o, "--cc") == 0) {
            bool to = o[2] == 't';
            int before = i;
            while (i + 1 < argc && !is_option(argv[i + 1])) {
                size_t *n = to ? &a->n_to : &a->n_cc;
                if (*n >= SEND_MAX) {
                    fprintf(stderr, "x400ms: send: at most %d recipients per list\n", SEND_MAX);
                    return EXIT_USAGE;
                }
                (to ? a->to : a->cc)[(*n)++] = argv[++i];
            }
            if (i == before) {
                fprintf(stderr, "x400ms: send: %s needs an O/R address\n", o);
                return EXIT_USAGE;
            }
        } else if (strcmp(o, "--subject") == 0 && i + 1 < argc) {
            a->subject = argv[++i];
        } else if (strcmp(o, "--body") == 0 && i + 1 < argc) {
            a->body = argv[++i];
        } else if (strcmp(o, "--body-file") == 0 && i + 1 < argc) {
            a->body_file = argv[++i];
        } else if (strcmp(o, "--priority") == 0 && i + 1 < argc) {
            const char *p = argv[++i];
            a->priority = strcmp(p, "urgent") == 0 ? 2 : strcmp(p, "normal") == 0 ? 0
                        : strcmp(p, "non-urgent") == 0 ? 1 : -1;
            if (a->priority < 0) {
                fprintf(stderr, "x400ms: --priority: expected urgent, normal or non-urgent\n");
                return EXIT_USAGE;
            }
        } else if (strcmp(o, "--receipt") == 0) {
            a->receipt = true;
        } else {
            fprintf(stderr, "x400ms: send: unknown or incomplete argument %s\n", o);
            return EXIT_USAGE;
        }
    }
    if (a->n_to == 0) {
        fprintf(stderr, "x400ms: send: --to is required\n");
        return EXIT_USAGE;
    }
    if (a->subject == NULL) {
        fprintf(stderr, "x400ms: send: --subject is required\n");
        return EXIT_USAGE;
    }
    if ((a->body == NULL) == (a->body_file == NULL)) {
        fprintf(stderr, "x400ms: send: give exactly one of --body and --body-file\n");
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static char *read_file(const char *path, size_t *len_r)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
        if (len == cap) {
            char *nb = realloc(buf, cap * 2);
            if (nb == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    *len_r = len;
    return buf;
}

int cmd_send_check(int argc, char **argv)
{
    struct send_args a;
    return parse(argc, argv, &a);
}

int cmd_send(struct x400ms_client *c, const char *originator, int argc, char **argv, bool json)
{
    struct send_args a;
    int rc = parse(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    char *file_body = NULL;
    size_t body_len = 0;
    if (a.body_file != NULL) {
        if ((file_body = read_file(a.body_file, &body_len)) == NULL) {
            fprintf(stderr, "x400ms: cannot read %s: %s\n", a.body_file, strerror(errno));
            return EXIT_USAGE;
        }
    } else {
        body_len = strlen(a.body);
    }
    struct x400ms_client_message m = {
        .originator = originator, .to = a.to, .cc = a.n_cc ? a.cc : NULL, .subject = a.subject,
        .body = (const uint8_t *)(file_body ? file_body : a.body), .body_len = body_len,
        .priority = a.priority, .receipt = a.receipt };
    struct x400ms_client_submitted out;
    struct x400ms_error err;
    rc = x400ms_client_send(c, &m, &out, &err);
    free(file_body);
    if (rc == X400MS_EINVAL || rc == X400MS_ELIMIT) {
        fprintf(stderr, "x400ms: send: %s\n", err.message);
        return EXIT_USAGE;
    }
    if (rc < 0)
        return cli_ms_error(c, &err);
    char when[32] = "-";
    if (out.submission_time > 0) {
        time_t t = (time_t)out.submission_time;
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    if (json) {
        printf("{\"message_submission_identifier\": ");
        cli_json_str(out.mts_identifier);
        printf(", \"submission_time\": ");
        cli_json_str(when);
        if (out.has_created_entry)
            printf(", \"out_box_entry\": %u", out.created_entry);
        printf("}\n");
    } else {
        printf("submitted %s at %s", out.mts_identifier, when);
        if (out.has_created_entry)
            printf(" (Out Box entry %u)", out.created_entry);
        printf("\n");
    }
    return EXIT_OK;
}
