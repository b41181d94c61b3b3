/* Loader test module: no dependencies. */
#define TM_NAME "tm_a"
#include "tests/unit/modules/testmod.h"
