/* Unit tests of the module loader (core/module.c) with the tiny modules of
 * tests/unit/modules/, which record their lifecycle calls into $X4T_CALL_LOG;
 * and of the service and hook registries (core/registry.c). */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/core-private.h"
#include "core/manifest.h"
#include "core/module-loader.h"
#include "tests/lib/x4test.h"
#include "x400ms/hooks.h"
#include "x400ms/log.h"

struct fixture {
    char *dir, *file, *calls;
    struct core_manifest *m;
    struct x400ms_core *core;
    struct x400ms_error err;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    f->dir = x4t_tempdir("loader");
    if (!f->dir || asprintf(&f->file, "%s/x400ms.json", f->dir) < 0 ||
        asprintf(&f->calls, "%s/calls", f->dir) < 0)
        return -1;
    setenv("X4T_CALL_LOG", f->calls, 1);
    /* Only the test modules' directory (manifest module_path) is searched. */
    unsetenv("X400MS_MODULE_PATH");
    x400ms_log_set_level(X400MS_LOG_WARNING);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->core) {
        core_modules_stop(f->core);
        core_modules_fini(f->core);
    }
    core_free(&f->core);
    core_manifest_free(&f->m);
    x4t_rmtree(f->dir);
    free(f->dir);
    free(f->file);
    free(f->calls);
    free(f);
    return 0;
}

/* Writes a manifest whose module list is `modules` (JSON array text) and
 * whose module_path is the test modules' build directory, then loads it. */
static int load_modules(struct fixture *f, const char *modules,
                        const struct x400ms_module *const *builtins)
{
    const char *top = getenv("X400MS_TOP_BUILDDIR");
    char *text;
    assert_non_null(top);
    assert_true(asprintf(&text, "{\"module_path\": \"%s/tests/unit/modules\",\n \"modules\": %s}",
                         top, modules) > 0);
    assert_int_equal(x4t_write_file(f->file, text), 0);
    free(text);
    if (core_manifest_load(f->file, &f->m, &f->err) != 0)
        fail_msg("%s", f->err.message);
    f->core = core_new(f->file, f->dir, 1, false, &f->err);
    assert_non_null(f->core);
    return core_modules_load(f->core, f->m, builtins, &f->err);
}

static char *calls(struct fixture *f)
{
    char *text = x4t_read_file(f->calls);
    return text ? text : strdup("");
}

static void expect_calls(struct fixture *f, const char *want)
{
    char *got = calls(f);
    if (strcmp(got, want) != 0)
        fail_msg("calls:\n%s\nexpected:\n%s", got, want);
    free(got);
}

static void expect_message(struct fixture *f, const char *want)
{
    if (!strstr(f->err.message, want))
        fail_msg("expected \"%s\" in \"%s\"", want, f->err.message);
    if (strncmp(f->err.message, f->file, strlen(f->file)) != 0)
        fail_msg("message does not name the manifest: %s", f->err.message);
}

static void test_core_module_order_and_lifecycle(void **state)
{
    struct fixture *f = *state;
    /* Listed against their dependency order: the loader reorders. */
    int rc = load_modules(f, "[{\"name\": \"tm_c\"}, {\"name\": \"tm_b\", \"config\": {\"value\": 7}},"
                             " {\"name\": \"tm_a\"}]", NULL);
    if (rc != 0)
        fail_msg("%s", f->err.message);
    assert_int_equal(f->core->module_count, 3);
    assert_string_equal(f->core->modules[0].name, "tm_a");
    assert_string_equal(f->core->modules[1].name, "tm_b");
    assert_string_equal(f->core->modules[2].name, "tm_c");
    assert_int_equal(f->core->modules[1].manifest_index, 1);
    assert_non_null(strstr(f->core->modules[0].file, "tm_a"));

    assert_int_equal(core_modules_init(f->core, &f->err), 0);
    assert_int_equal(core_modules_start(f->core, &f->err), 0);
    core_modules_stop(f->core);
    core_modules_fini(f->core);
    expect_calls(f, "tm_a init\ntm_b init\ntm_c init\n"
                    "tm_a start\ntm_b start\ntm_c start\n"
                    "tm_c stop\ntm_b stop\ntm_a stop\n"
                    "tm_c fini\ntm_b fini\ntm_a fini\n");
}

static int count_service(void *arg, const char *name, const char *module, const void *ops, void *ctx)
{
    char *seen = arg;
    strcat(seen, name);
    strcat(seen, "/");
    strcat(seen, module);
    strcat(seen, " ");
    return 0;
}

static void test_core_module_services_recorded(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_b\", \"config\": {\"value\": 7}}, {\"name\": \"tm_a\"}]",
                                  NULL), 0);
    assert_int_equal(core_modules_init(f->core, &f->err), 0);
    void *ctx = NULL;
    const size_t *ops = x400ms_service_find(f->core, X400MS_SERVICE_OTHER, "tm_b", &ctx);
    assert_non_null(ops);
    assert_true(*ops >= sizeof(size_t)); /* ops start with their size */
    assert_int_equal(*(long long *)ctx, 7); /* tm_b's parsed config */
    char seen[200] = "";
    assert_int_equal(x400ms_service_foreach(f->core, X400MS_SERVICE_OTHER, count_service, seen), 0);
    assert_string_equal(seen, "tm_a/tm_a tm_b/tm_b ");
    assert_null(x400ms_service_find(f->core, X400MS_SERVICE_STORE, NULL, NULL));
    /* Registration is closed once init is over. */
    static const size_t other_ops = sizeof(size_t);
    assert_int_equal(x400ms_service_register(f->core, X400MS_SERVICE_OTHER, "late", &other_ops, NULL, &f->err),
                     X400MS_ESTATE);
}

static void test_core_module_config_error_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_b\", \"config\": {\"value\": 11}}]",
                                  NULL), 0);
    assert_int_equal(core_modules_init(f->core, &f->err), X400MS_EINVAL);
    expect_message(f, "module tm_b: modules[1].config.value: expected an integer from 0 to 10, got 11");
    expect_calls(f, "tm_a init\ntm_b init\ntm_a fini\n");
}

static void test_core_module_init_failure_rolls_back_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_b\"}, {\"name\": \"tm_fail\"},"
                                     " {\"name\": \"tm_c\"}]", NULL), 0);
    assert_int_equal(core_modules_init(f->core, &f->err), X400MS_EIO);
    expect_message(f, "module tm_fail: tm_fail: init fails on purpose");
    /* tm_c never initialised; tm_b and tm_a finalised in reverse. */
    expect_calls(f, "tm_a init\ntm_b init\ntm_fail init\ntm_b fini\ntm_a fini\n");
}

static void test_core_module_start_failure_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_startfail\"}, {\"name\": \"tm_b\"}]",
                                  NULL), 0);
    assert_int_equal(core_modules_init(f->core, &f->err), 0);
    assert_int_equal(core_modules_start(f->core, &f->err), X400MS_EIO);
    assert_non_null(strstr(f->err.message, "module tm_startfail: start failed"));
    core_modules_stop(f->core);
    core_modules_fini(f->core);
    expect_calls(f, "tm_a init\ntm_startfail init\ntm_b init\ntm_a start\ntm_startfail start\n"
                    "tm_a stop\ntm_b fini\ntm_startfail fini\ntm_a fini\n");
}

static void test_core_module_abi_mismatch_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_abi\"}]", NULL), X400MS_EABI);
    expect_message(f, "modules[1] (tm_abi): ");
    expect_message(f, "tm_abi.la was built for module ABI 99, but this x400msd has ABI 1: rebuild");
}

static void test_core_module_size_too_small_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_small\"}]", NULL), X400MS_EABI);
    expect_message(f, "modules[0] (tm_small): ");
    expect_message(f, "has a descriptor of 16 bytes, smaller than");
}

static void test_core_module_missing_dependency_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_needs\"}]", NULL), X400MS_EDEP);
    expect_message(f, "modules[0] (tm_needs) requires module \"tm_absent\", which the manifest does not "
                      "load: add {\"name\": \"tm_absent\"} to modules");
}

static void test_core_module_disabled_dependency_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\", \"enabled\": false}, {\"name\": \"tm_b\"}]", NULL),
                     X400MS_EDEP);
    expect_message(f, "modules[1] (tm_b) requires module \"tm_a\", which modules[0] disables: set "
                      "modules[0].enabled to true");
}

static void test_core_module_cycle_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_cyc1\"}, {\"name\": \"tm_cyc2\"},"
                                     " {\"name\": \"tm_cyc3\"}]", NULL), X400MS_EDEP);
    expect_message(f, "dependency cycle: modules[1] (tm_cyc1) requires modules[2] (tm_cyc2) requires "
                      "modules[3] (tm_cyc3) requires modules[1] (tm_cyc1)");
}

static void test_core_module_duplicate_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_b\"}, {\"name\": \"tm_a\"}]", NULL),
                     X400MS_EEXIST);
    expect_message(f, "modules[2] (tm_a): duplicate: modules[0] already loads module tm_a: remove one");
}

static void test_core_module_name_mismatch_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_x\", \"file\": \"tm_a\"}]", NULL), X400MS_EINVAL);
    expect_message(f, "modules[0] (tm_x): ");
    expect_message(f, "holds module \"tm_a\", not \"tm_x\": fix modules[0].name or modules[0].file");
}

static void test_core_module_no_entry_symbol_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_nosym\"}]", NULL), X400MS_EINVAL);
    expect_message(f, "is not an x400ms module: it exports no symbol x400ms_module_entry");
}

static void test_core_module_not_found_neg(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\", \"file\": \"/nonexistent/tm_a\"}]", NULL),
                     X400MS_ENOENT);
    expect_message(f, "modules[0] (tm_a): module file \"/nonexistent/tm_a\" not found");
}

/* ---- built-in modules ---- */

static int builtin_inits;
static int builtin_init(struct x400ms_core *core, const json_t *config, void **state,
                        struct x400ms_error *err)
{
    builtin_inits++;
    assert_string_equal(x400ms_core_config_path(core), "modules[1].config");
    return 0;
}

static const struct x400ms_module builtin_tm_b = {
    X400MS_MODULE_HEADER, .name = "tm_b", .version = "builtin", .init = builtin_init,
    .requires = (const char *const[]){ "tm_a", NULL },
};

static int collect_module(void *arg, const struct x400ms_module_info *info)
{
    char *seen = arg;
    strcat(seen, info->name);
    strcat(seen, "=");
    strcat(seen, strstr(info->file, "built-in") ? "builtin" : "file");
    strcat(seen, " ");
    return 0;
}

static void test_core_module_builtin(void **state)
{
    struct fixture *f = *state;
    const struct x400ms_module *const builtins[] = { &builtin_tm_b, NULL };
    builtin_inits = 0;
    assert_int_equal(load_modules(f, "[{\"name\": \"tm_a\"}, {\"name\": \"tm_b\"}]", builtins), 0);
    assert_int_equal(core_modules_init(f->core, &f->err), 0);
    assert_int_equal(builtin_inits, 1);
    char seen[100] = "";
    x400ms_core_foreach_module(f->core, collect_module, seen);
    assert_string_equal(seen, "tm_a=file tm_b=builtin ");
    expect_calls(f, "tm_a init\n"); /* the file tm_b was not loaded */
}

/* ---- registry without modules ---- */

static int hook_trace(void *ctx, const char *hook, void *event)
{
    char *trace = event;
    strcat(trace, ctx);
    if (strcmp(ctx, "stop") == 0)
        return X400MS_HOOK_STOP;
    if (strcmp(ctx, "fail") == 0)
        return X400MS_EPERM;
    return X400MS_HOOK_CONTINUE;
}

static void test_core_registry_hooks(void **state)
{
    struct fixture *f = *state;
    f->core = core_new("m.json", f->dir, 1, false, &f->err);
    assert_non_null(f->core);
    assert_int_equal(x400ms_hook_add(f->core, "bind", 0, hook_trace, "x", &f->err), X400MS_ESTATE);
    f->core->registration_open = true;
    assert_int_equal(x400ms_hook_add(f->core, "bind", 10, hook_trace, "c", &f->err), 0);
    assert_int_equal(x400ms_hook_add(f->core, "bind", 0, hook_trace, "a", &f->err), 0);
    assert_int_equal(x400ms_hook_add(f->core, "bind", 10, hook_trace, "d", &f->err), 0);
    assert_int_equal(x400ms_hook_add(f->core, "bind", 5, hook_trace, "b", &f->err), 0);
    assert_int_equal(x400ms_hook_add(f->core, "unbind", 0, hook_trace, "stop", &f->err), 0);
    assert_int_equal(x400ms_hook_add(f->core, "unbind", 1, hook_trace, "never", &f->err), 0);
    assert_int_equal(x400ms_hook_add(f->core, "entry-fetched", 0, hook_trace, "fail", &f->err), 0);
    f->core->registration_open = false;

    char trace[64] = "";
    assert_int_equal(x400ms_hook_run(f->core, "bind", trace), X400MS_HOOK_CONTINUE);
    assert_string_equal(trace, "abcd"); /* priority, then registration order */
    trace[0] = '\0';
    assert_int_equal(x400ms_hook_run(f->core, "unbind", trace), X400MS_HOOK_STOP);
    assert_string_equal(trace, "stop");
    trace[0] = '\0';
    assert_int_equal(x400ms_hook_run(f->core, "entry-fetched", trace), X400MS_EPERM);
    assert_int_equal(x400ms_hook_run(f->core, "nobody-listens", trace), X400MS_HOOK_CONTINUE);
}

static void test_core_registry_duplicate_service_neg(void **state)
{
    struct fixture *f = *state;
    static const size_t ops1 = sizeof(size_t), ops2 = sizeof(size_t);
    f->core = core_new("m.json", f->dir, 1, false, &f->err);
    f->core->registration_open = true;
    f->core->registering = "first";
    assert_int_equal(x400ms_service_register(f->core, X400MS_SERVICE_STORE, "file", &ops1, NULL, &f->err), 0);
    /* Same name, other kind: fine. */
    assert_int_equal(x400ms_service_register(f->core, X400MS_SERVICE_MTS, "file", &ops2, NULL, &f->err), 0);
    f->core->registering = "second";
    assert_int_equal(x400ms_service_register(f->core, X400MS_SERVICE_STORE, "file", &ops2, NULL, &f->err),
                     X400MS_EEXIST);
    assert_non_null(strstr(f->err.message, "store \"file\" is already registered by module first"));
    assert_int_equal(x400ms_service_register(f->core, 0, "x", &ops2, NULL, &f->err), X400MS_EINVAL);
    assert_ptr_equal(x400ms_service_find(f->core, X400MS_SERVICE_STORE, NULL, NULL), &ops1);
    assert_ptr_equal(x400ms_service_find(f->core, X400MS_SERVICE_MTS, "file", NULL), &ops2);
}

/* ---- core: loops and the job thread ---- */

struct job_ctx {
    pthread_t ran_on;
    pthread_mutex_t lock;
    pthread_cond_t done;
    int count;
};

static void on_job(struct job_ctx *j)
{
    pthread_mutex_lock(&j->lock);
    j->ran_on = pthread_self();
    j->count++;
    pthread_cond_signal(&j->done);
    pthread_mutex_unlock(&j->lock);
}

static void test_core_core_jobs_and_loops(void **state)
{
    struct fixture *f = *state;
    f->core = core_new("m.json", f->dir, 3, false, &f->err);
    assert_non_null(f->core);
    assert_int_equal(x400ms_core_loop_count(f->core), 3);
    struct x400ms_loop *first = x400ms_core_next_loop(f->core);
    assert_ptr_not_equal(x400ms_core_next_loop(f->core), first);
    x400ms_core_next_loop(f->core);
    assert_ptr_equal(x400ms_core_next_loop(f->core), first); /* round robin */
    assert_null(x400ms_core_loop(f->core, 3));
    assert_string_equal(x400ms_core_data_dir(f->core), f->dir);
    assert_false(x400ms_core_stopping(f->core));
    assert_false(x400ms_core_check_only(f->core));

    struct job_ctx j = { .count = 0 };
    pthread_mutex_init(&j.lock, NULL);
    pthread_cond_init(&j.done, NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(x400ms_core_run_job(f->core, (x400ms_job_fn *)on_job, &j, &f->err), 0);
    pthread_mutex_lock(&j.lock);
    while (j.count < 3)
        pthread_cond_wait(&j.done, &j.lock);
    pthread_mutex_unlock(&j.lock);
    assert_false(pthread_equal(j.ran_on, pthread_self()));
    core_free(&f->core);
    assert_null(f->core);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_core_module_order_and_lifecycle),
        T(test_core_module_services_recorded),
        T(test_core_module_config_error_neg),
        T(test_core_module_init_failure_rolls_back_neg),
        T(test_core_module_start_failure_neg),
        T(test_core_module_abi_mismatch_neg),
        T(test_core_module_size_too_small_neg),
        T(test_core_module_missing_dependency_neg),
        T(test_core_module_disabled_dependency_neg),
        T(test_core_module_cycle_neg),
        T(test_core_module_duplicate_neg),
        T(test_core_module_name_mismatch_neg),
        T(test_core_module_no_entry_symbol_neg),
        T(test_core_module_not_found_neg),
        T(test_core_module_builtin),
        T(test_core_registry_hooks),
        T(test_core_registry_duplicate_service_neg),
        T(test_core_core_jobs_and_loops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
