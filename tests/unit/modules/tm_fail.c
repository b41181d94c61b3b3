/* Loader test module: init fails. */
#define TM_NAME "tm_fail"
#define TM_INIT_RC X400MS_EIO
#include "tests/unit/modules/testmod.h"
