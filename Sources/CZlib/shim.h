#include <zlib.h>

// inflateInit2 is a macro that Swift cannot call; 15 + 32 accepts gzip and zlib headers.
static inline int hatchery_inflateInit_gzip(z_stream *stream) {
  return inflateInit2(stream, 15 + 32);
}
