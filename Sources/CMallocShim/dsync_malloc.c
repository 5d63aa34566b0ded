#include "dsync_malloc.h"
#include <malloc.h>

int dsync_malloc_trim(void) { return malloc_trim(0); }
