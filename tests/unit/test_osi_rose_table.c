/* Unit tests of the ROSE invoke-id table (core/osi/rose_table.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/osi/rose_table.h"

static void test_osi_rose_table_add_find_remove(void **state)
{
    struct rose_table t;
    bool full;
    assert_int_equal(rose_table_init(&t, 3), 0);
    struct rose_slot *s = rose_table_add(&t, 10, &full);
    assert_non_null(s);
    s->opcode = 21;
    assert_non_null(rose_table_add(&t, 11, &full));
    assert_non_null(rose_table_add(&t, 12, &full));
    assert_true(rose_table_full(&t));
    s = rose_table_find(&t, 10);
    assert_non_null(s);
    assert_int_equal(s->opcode, 21);
    struct rose_slot out;
    rose_table_remove(&t, s, &out);
    assert_int_equal(out.invoke_id, 10);
    assert_null(rose_table_find(&t, 10));
    assert_non_null(rose_table_find(&t, 12)); /* moved into the hole, still found */
    assert_non_null(rose_table_find(&t, 11));
    assert_int_equal(t.count, 2);
    rose_table_fini(&t);
}

static void test_osi_rose_table_duplicate_neg(void **state)
{
    struct rose_table t;
    bool full = true;
    assert_int_equal(rose_table_init(&t, 4), 0);
    assert_non_null(rose_table_add(&t, -5, &full));
    assert_null(rose_table_add(&t, -5, &full));
    assert_false(full); /* a duplicate, not a full table */
    rose_table_fini(&t);
}

static void test_osi_rose_table_full_neg(void **state)
{
    struct rose_table t;
    bool full = false;
    assert_int_equal(rose_table_init(&t, 1), 0);
    assert_non_null(rose_table_add(&t, 1, &full));
    assert_null(rose_table_add(&t, 2, &full));
    assert_true(full);
    rose_table_fini(&t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_osi_rose_table_add_find_remove),
        cmocka_unit_test(test_osi_rose_table_duplicate_neg),
        cmocka_unit_test(test_osi_rose_table_full_neg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
