/* Loader test module: cycle tm_cyc1 -> tm_cyc2 -> tm_cyc3 -> tm_cyc1. */
#define TM_NAME "tm_cyc1"
#define TM_REQUIRES { "tm_cyc2", NULL }
#include "tests/unit/modules/testmod.h"
