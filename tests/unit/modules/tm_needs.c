/* Loader test module: requires a module that does not exist. */
#define TM_NAME "tm_needs"
#define TM_REQUIRES { "tm_absent", NULL }
#include "tests/unit/modules/testmod.h"
