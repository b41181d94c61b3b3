/* admin-api: small helpers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "admin-api/util.h"
#include "x400ms/store.h"

int64_t admin_now(void)
{
    return (int64_t)time(NULL);
}

json_t *admin_time_json(int64_t t)
{
    if (t == 0)
        return json_null();
    char buf[32];
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_string(buf);
}

bool admin_name_valid(const char *name, const char **why)
{
    size_t len = strlen(name);
    if (len == 0) {
        *why = "must not be empty";
        return false;
    }
    if (len > X400MS_STORE_NAME_MAX) {
        *why = "longer than 64 characters";
        return false;
    }
    if (name[0] == '.') {
        *why = "must not start with '.'";
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = name[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-')) {
            *why = "may only contain letters, digits, '.', '_' and '-'";
            return false;
        }
    }
    return true;
}

char *admin_path_join(const char *base, const char *path)
{
    if (path[0] == '/')
        return strdup(path);
    size_t n = strlen(base) + strlen(path) + 2;
    char *out = malloc(n);
    if (out != NULL)
        snprintf(out, n, "%s/%s", base, path);
    return out;
}
