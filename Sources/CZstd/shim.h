// The advanced API (ZSTD_getCParams) is exported by the shared library too.
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>
#include <zstd_errors.h>
