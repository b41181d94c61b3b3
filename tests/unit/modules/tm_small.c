/* Loader test module: a descriptor smaller than the core's. */
#define TM_NAME "tm_small"
#define TM_SIZE 16
#include "tests/unit/modules/testmod.h"
