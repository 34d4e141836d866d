#ifndef HATCHERY_FREED_MEMORY_H
#define HATCHERY_FREED_MEMORY_H

/// Gives freed heap pages back to the system (glibc's malloc_trim(0)); returns 1 if any were.
/// Swift's Glibc module does not bring <malloc.h>.
int hatchery_give_back_freed_memory(void);

#endif
