#include <zlib.h>

// inflateInit2 is a macro that Swift cannot call; 15 + 32 accepts gzip and zlib headers.
static inline int hatchery_inflateInit_gzip(z_stream *stream) {
  return inflateInit2(stream, 15 + 32);
}

// deflateInit2 is a macro too; windowBits 15 + 16 writes a gzip header and trailer.
static inline int hatchery_deflateInit_gzip(z_stream *stream, int level) {
  return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
