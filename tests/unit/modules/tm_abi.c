/* Loader test module: built for another module ABI. */
#define TM_NAME "tm_abi"
#define TM_ABI 99
#include "tests/unit/modules/testmod.h"
