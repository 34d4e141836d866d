#ifndef HATCHERY_FILE_SYSTEM_H
#define HATCHERY_FILE_SYSTEM_H

#include <stdint.h>

/// The `statfs` magic number (f_type) of the file system holding `path`; -1 with errno set when
/// `statfs` fails. Swift's Glibc module does not bring <sys/vfs.h>.
int64_t hatchery_file_system_magic(const char *path);

#endif
