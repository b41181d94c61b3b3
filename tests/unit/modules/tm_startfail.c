/* Loader test module: start fails. */
#define TM_NAME "tm_startfail"
#define TM_START_RC X400MS_EIO
#include "tests/unit/modules/testmod.h"
