#include "freed_memory.h"

#include <malloc.h>

int hatchery_give_back_freed_memory(void) { return malloc_trim(0); }
