/* T-selectors in configuration and log lines. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include "modules/transport/rfc1006/rfc1006.h"

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

int r1_tsel_parse(const char *text, struct r1_tsel *out, const char *path, struct x400ms_error *err)
{
    size_t len = strlen(text);
    const char *hex = NULL;
    size_t hexlen = 0;

    memset(out, 0, sizeof *out);
    /* ASN.1 hstring form 'C0A8'H (as ISODE writes selectors), or 0xC0A8. */
    if (len >= 3 && text[0] == '\'' && (text[len - 1] == 'H' || text[len - 1] == 'h') &&
        text[len - 2] == '\'') {
        hex = text + 1;
        hexlen = len - 3;
    } else if (len >= 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) {
        hex = text + 2;
        hexlen = len - 2;
    }
    if (hex) {
        if (hexlen % 2 || hexlen / 2 > X224_TSEL_MAX)
            return x400ms_error_set(err, X400MS_EINVAL,
                                    "%s: expected an even number of hex digits, at most %d octets, "
                                    "got \"%s\"", path, X224_TSEL_MAX, text);
        for (size_t i = 0; i < hexlen; i += 2) {
            int hi = hexval((unsigned char)hex[i]), lo = hexval((unsigned char)hex[i + 1]);
            if (hi < 0 || lo < 0)
                return x400ms_error_set(err, X400MS_EINVAL, "%s: \"%s\" is not hex", path, text);
            out->bytes[out->len++] = (uint8_t)(hi << 4 | lo);
        }
    } else {
        if (len > X224_TSEL_MAX)
            return x400ms_error_set(err, X400MS_EINVAL, "%s: at most %d octets, got %zu", path,
                                    X224_TSEL_MAX, len);
        memcpy(out->bytes, text, len);
        out->len = len;
    }
    out->present = true;
    return 0;
}

const char *r1_tsel_format(const uint8_t *bytes, size_t len, char *buf, size_t cap)
{
    bool printable = len > 0;
    size_t n = 0;

    if (!bytes) {
        snprintf(buf, cap, "(none)");
        return buf;
    }
    for (size_t i = 0; i < len; i++)
        if (!isprint(bytes[i]) || bytes[i] == '\'' || bytes[i] == '"')
            printable = false;
    if (printable) {
        snprintf(buf, cap, "\"%.*s\"", (int)len, (const char *)bytes);
        return buf;
    }
    if (cap < 4) {
        buf[0] = '\0';
        return buf;
    }
    buf[n++] = '\'';
    for (size_t i = 0; i < len && n + 5 < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, "%02X", bytes[i]);
    snprintf(buf + n, cap - n, "'H");
    return buf;
}
