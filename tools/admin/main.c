/* x400ms-admin: a small command-line client of the x400ms admin API.
 *
 *   x400ms-admin [-a ADDRESS] [-p PORT] [-t TOKEN_FILE] COMMAND ...
 *
 * The token is read from TOKEN_FILE (default: $X400MS_ADMIN_TOKEN_FILE, else
 * var/admin-token as the quick start creates it). Replies are printed as
 * indented JSON; the exit status is 0 for a 2xx answer, 1 for an error
 * answer (its message on stderr), 2 for a usage or connection error. Plain
 * HTTP only: for an HTTPS admin API use curl(1). */
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "tools/admin/http_client.h"

struct cli {
    const char *address;
    int port;
    char token[600];
    int timeout_ms;
};

static void usage(FILE *out)
{
    fprintf(out,
            "usage: x400ms-admin [-a ADDRESS] [-p PORT] [-t TOKEN_FILE] COMMAND ...\n"
            "commands:\n"
            "  health | modules | metrics\n"
            "  mailbox list | show NAME | add NAME OR_ADDRESS [PASSWORD] | del NAME\n"
            "  mailbox passwd NAME [PASSWORD]     (PASSWORD read from stdin when omitted)\n"
            "  mailbox set NAME KEY=VALUE...      (deletion_prohibited=true, outbox=false,\n"
            "                                      inbox_max_age=30d, ...)\n"
            "  entries NAME [inbox|outbox] [new|listed|processed]\n"
            "  unread [SECONDS]\n"
            "  mta list | add NAME [PASSWORD] | del NAME\n"
            "  backup [-w] [-d DESTINATION] [MAILBOX...]\n"
            "  restore [-w] [-m merge|replace] SOURCE [MAILBOX...]\n"
            "  job ID | jobs\n"
            "  -w waits for the job to finish (exit 1 unless it is done)\n"
            "defaults: -a 127.0.0.1 -p 8102 -t $X400MS_ADMIN_TOKEN_FILE or var/admin-token\n");
}

static int read_token(const char *path, char *out, size_t len)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        fprintf(stderr, "x400ms-admin: cannot read the token file %s: %m\n", path);
        return -1;
    }
    size_t n = fread(out, 1, len - 1, f);
    fclose(f);
    out[n] = '\0';
    while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r' || out[n - 1] == ' '))
        out[--n] = '\0';
    if (n == 0) {
        fprintf(stderr, "x400ms-admin: the token file %s is empty\n", path);
        return -1;
    }
    return 0;
}

static int read_password(const char *prompt, char *out, size_t len)
{
    if (isatty(STDIN_FILENO))
        fprintf(stderr, "%s", prompt);
    if (fgets(out, (int)len, stdin) == NULL)
        return -1;
    out[strcspn(out, "\r\n")] = '\0';
    return out[0] != '\0' ? 0 : -1;
}

/* Sends the request, prints the answer; returns the exit status. *doc_r
 * (when not NULL) gets the parsed JSON reply. */
static int call(const struct cli *cli, const char *method, const char *path, json_t *body,
                json_t **doc_r, bool quiet)
{
    char *text = body != NULL ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct x4h_response resp;
    char errbuf[256];
    int rc = x4h_request(cli->address, cli->port, method, path, cli->token, text,
                         text != NULL ? strlen(text) : 0, cli->timeout_ms, &resp, errbuf,
                         sizeof errbuf);
    free(text);
    if (rc < 0) {
        fprintf(stderr, "x400ms-admin: %s\n", errbuf);
        return 2;
    }
    json_t *doc = resp.body_len > 0 ? json_loadb(resp.body, resp.body_len, 0, NULL) : NULL;
    int status = resp.status;
    if (status >= 200 && status < 300) {
        if (!quiet) {
            if (doc != NULL) {
                char *pretty = json_dumps(doc, JSON_INDENT(2));
                printf("%s\n", pretty);
                free(pretty);
            } else if (resp.body_len > 0) {
                fwrite(resp.body, 1, resp.body_len, stdout);
            }
        }
    } else {
        const char *message = json_string_value(
            json_object_get(json_object_get(doc, "error"), "message"));
        fprintf(stderr, "x400ms-admin: %s %s: HTTP %d: %s\n", method, path, status,
                message != NULL ? message : resp.body);
    }
    x4h_response_free(&resp);
    if (doc_r != NULL)
        *doc_r = doc;
    else
        json_decref(doc);
    return status >= 200 && status < 300 ? 0 : 1;
}

/* Polls a job until it ends; exit 0 only when it is done. */
static int wait_job(const struct cli *cli, const char *collection, json_int_t id)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/%s/%lld", collection, (long long)id);
    for (;;) {
        json_t *doc = NULL;
        int rc = call(cli, "GET", path, NULL, &doc, true);
        if (rc != 0) {
            json_decref(doc);
            return rc;
        }
        const char *state = json_string_value(json_object_get(doc, "state"));
        if (state != NULL && strcmp(state, "queued") != 0 && strcmp(state, "running") != 0) {
            char *pretty = json_dumps(doc, JSON_INDENT(2));
            printf("%s\n", pretty);
            free(pretty);
            rc = strcmp(state, "done") == 0 ? 0 : 1;
            json_decref(doc);
            return rc;
        }
        json_decref(doc);
        usleep(200 * 1000);
    }
}

static json_t *names_array(int argc, char **argv)
{
    json_t *a = json_array();
    for (int i = 0; i < argc; i++)
        json_array_append_new(a, json_string(argv[i]));
    return a;
}

/* "key=value" settings: booleans, numbers and durations as JSON. */
static json_t *settings_object(int argc, char **argv)
{
    json_t *o = json_object();
    for (int i = 0; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL) {
            json_decref(o);
            return NULL;
        }
        *eq = '\0';
        const char *v = eq + 1;
        json_t *value;
        if (strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
            value = json_boolean(v[0] == 't');
        else
            value = json_string(v);
        json_object_set_new(o, argv[i], value);
    }
    return o;
}

static int job_command(const struct cli *cli, const char *collection, json_t *body, bool wait)
{
    char path[64];
    json_t *doc = NULL;
    snprintf(path, sizeof path, "/api/v1/%s", collection);
    int rc = call(cli, "POST", path, body, &doc, wait);
    if (rc == 0 && wait)
        rc = wait_job(cli, collection, json_integer_value(json_object_get(doc, "id")));
    json_decref(doc);
    return rc;
}

static int run(struct cli *cli, int argc, char **argv)
{
    char path[512], password[1100];
    const char *cmd = argv[0];
    const char *sub = argc > 1 ? argv[1] : "";
    if (strcmp(cmd, "health") == 0 || strcmp(cmd, "modules") == 0 ||
        strcmp(cmd, "metrics") == 0 || strcmp(cmd, "jobs") == 0) {
        snprintf(path, sizeof path, "/api/v1/%s", cmd);
        return call(cli, "GET", path, NULL, NULL, false);
    }
    if (strcmp(cmd, "job") == 0 && argc == 2) {
        snprintf(path, sizeof path, "/api/v1/jobs/%s", argv[1]);
        return call(cli, "GET", path, NULL, NULL, false);
    }
    if (strcmp(cmd, "unread") == 0 && argc <= 2) {
        snprintf(path, sizeof path, "/api/v1/unread?older_than=%s", argc == 2 ? argv[1] : "0");
        return call(cli, "GET", path, NULL, NULL, false);
    }
    if (strcmp(cmd, "entries") == 0 && argc >= 2 && argc <= 4) {
        int n = snprintf(path, sizeof path, "/api/v1/mailboxes/%s/entries?box=%s", argv[1],
                         argc >= 3 ? argv[2] : "inbox");
        if (argc == 4)
            snprintf(path + n, sizeof path - (size_t)n, "&status=%s", argv[3]);
        return call(cli, "GET", path, NULL, NULL, false);
    }
    if (strcmp(cmd, "mailbox") == 0) {
        if (strcmp(sub, "list") == 0 && argc == 2)
            return call(cli, "GET", "/api/v1/mailboxes", NULL, NULL, false);
        if ((strcmp(sub, "show") == 0 || strcmp(sub, "del") == 0) && argc == 3) {
            snprintf(path, sizeof path, "/api/v1/mailboxes/%s", argv[2]);
            return call(cli, sub[0] == 's' ? "GET" : "DELETE", path, NULL, NULL, false);
        }
        if (strcmp(sub, "add") == 0 && (argc == 4 || argc == 5)) {
            if (argc == 4 && read_password("password: ", password, sizeof password) < 0)
                return 2;
            return call(cli, "POST", "/api/v1/mailboxes",
                        json_pack("{s:s, s:s, s:s}", "name", argv[2], "or_address", argv[3],
                                  "password", argc == 5 ? argv[4] : password),
                        NULL, false);
        }
        if (strcmp(sub, "passwd") == 0 && (argc == 3 || argc == 4)) {
            if (argc == 3 && read_password("new password: ", password, sizeof password) < 0)
                return 2;
            snprintf(path, sizeof path, "/api/v1/mailboxes/%s", argv[2]);
            return call(cli, "PATCH", path,
                        json_pack("{s:s}", "password", argc == 4 ? argv[3] : password), NULL,
                        true);
        }
        if (strcmp(sub, "set") == 0 && argc >= 4) {
            json_t *settings = settings_object(argc - 3, argv + 3);
            if (settings == NULL)
                goto bad;
            snprintf(path, sizeof path, "/api/v1/mailboxes/%s", argv[2]);
            return call(cli, "PATCH", path, settings, NULL, false);
        }
    }
    if (strcmp(cmd, "mta") == 0) {
        if (strcmp(sub, "list") == 0 && argc == 2)
            return call(cli, "GET", "/api/v1/mtas", NULL, NULL, false);
        if (strcmp(sub, "del") == 0 && argc == 3) {
            snprintf(path, sizeof path, "/api/v1/mtas/%s", argv[2]);
            return call(cli, "DELETE", path, NULL, NULL, false);
        }
        if (strcmp(sub, "add") == 0 && (argc == 3 || argc == 4)) {
            if (argc == 3 && read_password("password: ", password, sizeof password) < 0)
                return 2;
            return call(cli, "POST", "/api/v1/mtas",
                        json_pack("{s:s, s:s}", "name", argv[2], "password",
                                  argc == 4 ? argv[3] : password),
                        NULL, false);
        }
    }
    if (strcmp(cmd, "backup") == 0 || strcmp(cmd, "restore") == 0) {
        bool wait = false, backup = cmd[0] == 'b';
        const char *dir = NULL, *mode = NULL;
        int opt;
        optind = 1;
        while ((opt = getopt(argc, argv, backup ? "+wd:" : "+wm:")) != -1) {
            if (opt == 'w')
                wait = true;
            else if (opt == 'd')
                dir = optarg;
            else if (opt == 'm')
                mode = optarg;
            else
                goto bad;
        }
        json_t *body = json_object();
        if (!backup) {
            if (optind >= argc) {
                json_decref(body);
                goto bad;
            }
            json_object_set_new(body, "source", json_string(argv[optind++]));
            if (mode != NULL)
                json_object_set_new(body, "mode", json_string(mode));
        } else if (dir != NULL) {
            json_object_set_new(body, "destination", json_string(dir));
        }
        if (optind < argc)
            json_object_set_new(body, "mailboxes", names_array(argc - optind, argv + optind));
        return job_command(cli, backup ? "backups" : "restores", body, wait);
    }
bad:
    usage(stderr);
    return 2;
}

int main(int argc, char **argv)
{
    struct cli cli = { .address = "127.0.0.1", .port = 8102, .timeout_ms = 60000 };
    const char *token_file = getenv("X400MS_ADMIN_TOKEN_FILE");
    if (token_file == NULL)
        token_file = "var/admin-token";
    int opt;
    while ((opt = getopt(argc, argv, "+a:p:t:h")) != -1) {
        switch (opt) {
        case 'a': cli.address = optarg; break;
        case 'p': cli.port = atoi(optarg); break;
        case 't': token_file = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind >= argc || cli.port <= 0 || cli.port > 65535) {
        usage(stderr);
        return 2;
    }
    if (read_token(token_file, cli.token, sizeof cli.token) < 0)
        return 2;
    return run(&cli, argc - optind, argv + optind);
}
