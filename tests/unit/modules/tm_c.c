/* Loader test module: requires tm_b and tm_a. */
#define TM_NAME "tm_c"
#define TM_REQUIRES { "tm_b", "tm_a", NULL }
#include "tests/unit/modules/testmod.h"
