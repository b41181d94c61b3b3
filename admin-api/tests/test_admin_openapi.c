/* Every route of the admin API's table is in admin-api/openapi.yaml and
 * every operation of the document is in the table.
 *
 * The YAML is read line by line, relying only on the document's layout
 * (which this test therefore also enforces): under the top-level "paths:"
 * key, a path is a two-space-indented key starting with '/', an operation a
 * four-space-indented get/post/put/patch/delete key. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin-api/server.h"

#define MAX_OPS 128

struct op {
    char method[8];
    char path[1024];
    bool seen;
};

static size_t read_document_ops(struct op *ops)
{
    const char *top = getenv("X400MS_TOP_SRCDIR");
    char file[1024];
    snprintf(file, sizeof file, "%s/admin-api/openapi.yaml", top != NULL ? top : ".");
    FILE *f = fopen(file, "r");
    if (f == NULL)
        fail_msg("cannot open %s", file);
    char line[1024], path[1024] = "";
    bool in_paths = false;
    size_t n = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] != ' ' && line[0] != '\0' && line[0] != '#') {
            in_paths = strcmp(line, "paths:") == 0;
            continue;
        }
        if (!in_paths)
            continue;
        if (strncmp(line, "  /", 3) == 0) {
            char *colon = strrchr(line, ':');
            assert_non_null(colon);
            *colon = '\0';
            snprintf(path, sizeof path, "%s", line + 2);
            continue;
        }
        static const char *const methods[] = { "get", "post", "put", "patch", "delete" };
        for (size_t m = 0; m < 5; m++) {
            size_t len = strlen(methods[m]);
            if (strncmp(line, "    ", 4) == 0 && line[4] != ' ' &&
                strncmp(line + 4, methods[m], len) == 0 && line[4 + len] == ':') {
                assert_true(n < MAX_OPS);
                assert_true(path[0] == '/');
                for (size_t k = 0; k <= len; k++)
                    ops[n].method[k] = (char)toupper((unsigned char)methods[m][k]);
                snprintf(ops[n].path, sizeof ops[n].path, "%s", path);
                ops[n].seen = false;
                n++;
            }
        }
    }
    fclose(f);
    return n;
}

static void test_admin_openapi_table_in_document(void **state)
{
    (void)state;
    static struct op ops[MAX_OPS];
    size_t n = read_document_ops(ops);
    assert_true(n > 0);
    size_t routes = 0;
    for (const struct admin_route_def *d = admin_builtin_routes; d->method != NULL; d++) {
        bool found = false;
        for (size_t i = 0; i < n; i++)
            if (strcmp(ops[i].method, d->method) == 0 && strcmp(ops[i].path, d->pattern) == 0) {
                found = true;
                ops[i].seen = true;
            }
        if (!found)
            fail_msg("route %s %s is not in admin-api/openapi.yaml", d->method, d->pattern);
        routes++;
    }
    for (size_t i = 0; i < n; i++)
        if (!ops[i].seen)
            fail_msg("openapi.yaml documents %s %s, which is not in the route table",
                     ops[i].method, ops[i].path);
    assert_int_equal(routes, n);
}

static void test_admin_openapi_reader_neg(void **state)
{
    (void)state;
    /* The reader must see operations at all, or the test above proves
     * nothing: the document has at least the v1 routes. */
    static struct op ops[MAX_OPS];
    size_t n = read_document_ops(ops);
    assert_true(n >= 19);
    bool health = false;
    for (size_t i = 0; i < n; i++)
        health |= strcmp(ops[i].method, "GET") == 0 && strcmp(ops[i].path, "/api/v1/health") == 0;
    assert_true(health);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_admin_openapi_table_in_document),
        cmocka_unit_test(test_admin_openapi_reader_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
