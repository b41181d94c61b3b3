/* admin-api: Prometheus text format writer behind struct x400ms_metrics_sink. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "admin-api/metrics.h"

struct buf {
    char *data;
    size_t len, cap;
    bool oom;
};

static void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    for (int attempt = 0; attempt < 2 && !b->oom; attempt++) {
        size_t room = b->cap - b->len;
        va_start(ap, fmt);
        int n = vsnprintf(b->data != NULL ? b->data + b->len : NULL, room, fmt, ap);
        va_end(ap);
        if (n < 0)
            return;
        if ((size_t)n < room) {
            b->len += (size_t)n;
            return;
        }
        size_t cap = b->cap != 0 ? b->cap : 256;
        while (cap - b->len <= (size_t)n)
            cap *= 2;
        char *grown = realloc(b->data, cap);
        if (grown == NULL) {
            b->oom = true;
            return;
        }
        b->data = grown;
        b->cap = cap;
    }
}

struct family {
    char *name;
    enum x400ms_metric_type type;
    char *help;
    struct buf samples;
};

struct admin_metrics_text {
    struct x400ms_metrics_sink sink;
    struct family *families;
    size_t count, cap;
};

static struct family *family_get(struct admin_metrics_text *mt, const char *name)
{
    for (size_t i = 0; i < mt->count; i++)
        if (strcmp(mt->families[i].name, name) == 0)
            return &mt->families[i];
    return NULL;
}

/* A family is created on first mention (declared or sampled). */
static struct family *family_ensure(struct admin_metrics_text *mt, const char *name,
                                    enum x400ms_metric_type type)
{
    struct family *f = family_get(mt, name);
    if (f != NULL)
        return f;
    if (mt->count == mt->cap) {
        size_t cap = mt->cap != 0 ? mt->cap * 2 : 16;
        struct family *grown = realloc(mt->families, cap * sizeof *grown);
        if (grown == NULL)
            return NULL;
        mt->families = grown;
        mt->cap = cap;
    }
    f = &mt->families[mt->count];
    memset(f, 0, sizeof *f);
    f->name = strdup(name);
    f->type = type;
    if (f->name == NULL)
        return NULL;
    mt->count++;
    return f;
}

static void sink_family(const struct x400ms_metrics_sink *sink, const char *name,
                        enum x400ms_metric_type type, const char *help)
{
    struct admin_metrics_text *mt = sink->impl;
    struct family *f = family_ensure(mt, name, type);
    if (f != NULL && f->help == NULL && help != NULL) {
        f->help = strdup(help);
        f->type = type;
    }
}

static void print_value(struct buf *b, double v)
{
    if (isnan(v))
        buf_printf(b, "NaN\n");
    else if (isinf(v))
        buf_printf(b, v > 0 ? "+Inf\n" : "-Inf\n");
    else if (v == (double)(long long)v && fabs(v) < 1e15)
        buf_printf(b, "%lld\n", (long long)v);
    else
        buf_printf(b, "%.15g\n", v);
}

static void sink_sample(const struct x400ms_metrics_sink *sink, const char *name,
                        const char *labels, double value)
{
    struct admin_metrics_text *mt = sink->impl;
    struct family *f = family_ensure(mt, name, X400MS_METRIC_GAUGE);
    if (f == NULL)
        return;
    if (labels != NULL && labels[0] != '\0')
        buf_printf(&f->samples, "%s{%s} ", name, labels);
    else
        buf_printf(&f->samples, "%s ", name);
    print_value(&f->samples, value);
}

static void sink_histogram(const struct x400ms_metrics_sink *sink, const char *name,
                           const char *labels, const double *bounds, const uint64_t *counts,
                           size_t nbuckets, uint64_t count, double sum)
{
    struct admin_metrics_text *mt = sink->impl;
    struct family *f = family_ensure(mt, name, X400MS_METRIC_HISTOGRAM);
    if (f == NULL)
        return;
    const char *sep = labels != NULL && labels[0] != '\0' ? "," : "";
    const char *lab = labels != NULL ? labels : "";
    for (size_t i = 0; i < nbuckets; i++)
        buf_printf(&f->samples, "%s_bucket{%s%sle=\"%.15g\"} %llu\n", name, lab, sep, bounds[i],
                   (unsigned long long)counts[i]);
    buf_printf(&f->samples, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, lab, sep,
               (unsigned long long)count);
    if (lab[0] != '\0')
        buf_printf(&f->samples, "%s_sum{%s} ", name, lab);
    else
        buf_printf(&f->samples, "%s_sum ", name);
    print_value(&f->samples, sum);
    if (lab[0] != '\0')
        buf_printf(&f->samples, "%s_count{%s} %llu\n", name, lab, (unsigned long long)count);
    else
        buf_printf(&f->samples, "%s_count %llu\n", name, (unsigned long long)count);
}

struct admin_metrics_text *admin_metrics_text_new(void)
{
    struct admin_metrics_text *mt = calloc(1, sizeof *mt);
    if (mt == NULL)
        return NULL;
    mt->sink.size = sizeof mt->sink;
    mt->sink.family = sink_family;
    mt->sink.sample = sink_sample;
    mt->sink.histogram = sink_histogram;
    mt->sink.impl = mt;
    return mt;
}

const struct x400ms_metrics_sink *admin_metrics_text_sink(struct admin_metrics_text *mt)
{
    return &mt->sink;
}

char *admin_metrics_text_finish(struct admin_metrics_text *mt, size_t *len_r)
{
    static const char *const type_names[] = { "counter", "gauge", "histogram" };
    struct buf out = { 0 };
    for (size_t i = 0; i < mt->count; i++) {
        struct family *f = &mt->families[i];
        if (f->help != NULL) {
            buf_printf(&out, "# HELP %s ", f->name);
            /* HELP text escapes \ and newline (exposition format 0.0.4). */
            for (const char *p = f->help; *p != '\0'; p++)
                buf_printf(&out, "%s", *p == '\\' ? "\\\\" : *p == '\n' ? "\\n" : (char[2]){ *p, 0 });
            buf_printf(&out, "\n");
        }
        buf_printf(&out, "# TYPE %s %s\n", f->name, type_names[f->type]);
        if (f->samples.data != NULL)
            buf_printf(&out, "%.*s", (int)f->samples.len, f->samples.data);
        free(f->samples.data);
        free(f->name);
        free(f->help);
    }
    free(mt->families);
    free(mt);
    if (out.oom || out.data == NULL) {
        free(out.data);
        out.data = strdup("");
        out.len = 0;
    }
    *len_r = out.len;
    return out.data;
}
