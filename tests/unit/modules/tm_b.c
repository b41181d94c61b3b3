/* Loader test module: requires tm_a. */
#define TM_NAME "tm_b"
#define TM_REQUIRES { "tm_a", NULL }
#include "tests/unit/modules/testmod.h"
