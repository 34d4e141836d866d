#include "file_system.h"

#include <sys/vfs.h>

int64_t hatchery_file_system_magic(const char *path) {
  struct statfs info;
  if (statfs(path, &info) != 0) return -1;
  return (int64_t)info.f_type;
}
