#include "hatchery_minhash.h"

// The helpers below take and return 64-byte vectors. They are always inlined — into the AVX2
// and the baseline build of the kernel alike, at every optimisation level — so no vector is ever
// passed between functions built for different processors (whose conventions for such vectors
// differ: clang's -Wpsabi warning, which is therefore silenced here).
#pragma clang diagnostic ignored "-Wpsabi"
#define HELPER static inline __attribute__((always_inline))

// Eight 64-bit lanes: two AVX2 registers, four SSE2 ones.
typedef uint64_t lanes __attribute__((vector_size(64), aligned(8)));

static const uint64_t prime = ((uint64_t)1 << 61) - 1;

HELPER lanes splat(uint64_t value) { return (lanes){value, value, value, value, value, value, value, value}; }

// (a·h + b) mod p from the 32-bit halves of a and of h: a1·h1 (< 2^58), a1·h0 + a0·h1 (< 2^62) and
// a0·h0 (< 2^64) fold into one sum below 2^63 using 2^61 ≡ 1 (mod p), then one more fold and a
// subtraction without a compare (each difference is below 2^62, so its top bit tells the sign).
// Every product is of two values below 2^32, which the vector units multiply (pmuludq).
HELPER lanes affine(lanes a0, lanes a1, lanes a1_times_8, lanes offset, lanes h0, lanes h1) {
  const lanes p = splat(prime);
  lanes t00 = a0 * h0;
  lanes middle = a1 * h0 + a0 * h1;
  lanes t11 = a1_times_8 * h1;
  lanes sum = t11 + (middle >> 29) + ((middle & splat((1u << 29) - 1)) << 32) + (t00 & p) + (t00 >> 61) + offset;
  sum = (sum & p) + (sum >> 61);
  lanes reduced = sum - p;
  return reduced + (p & (splat(0) - (reduced >> 63)));
}

HELPER lanes minimum(lanes current, lanes value) {
  lanes difference = value - current;
  return current + (difference & (splat(0) - (difference >> 63)));
}

HELPER lanes load(const uint64_t *values) {
  lanes vector;
  __builtin_memcpy(&vector, values, sizeof vector);
  return vector;
}

HELPER void store(uint64_t *values, lanes vector) { __builtin_memcpy(values, &vector, sizeof vector); }

#if defined(__x86_64__) && defined(__ELF__)
#define HATCHERY_CLONES __attribute__((target_clones("avx2", "default")))
#else
#define HATCHERY_CLONES
#endif

HATCHERY_CLONES
void hatchery_minhash_update(const uint64_t *low_halves, const uint64_t *high_halves, size_t vectors,
                             const uint64_t *a, const uint64_t *b, size_t hash_count, uint64_t *minima) {
  const lanes low32 = splat(0xFFFFFFFFu);
  // Blocks of 128 groups (16 KiB of halves) stay in L1 while every permutation passes over them;
  // two permutations per pass share each load of the halves.
  const size_t block = 128;
  for (size_t start = 0; start < vectors; start += block) {
    size_t end = start + block < vectors ? start + block : vectors;
    for (size_t first = 0; first < hash_count; first += 2) {
      size_t second = first + 1 < hash_count ? first + 1 : hash_count - 1;
      lanes a0 = splat(a[first] & 0xFFFFFFFFu), a1 = splat(a[first] >> 32), a18 = splat((a[first] >> 32) << 3);
      lanes c0 = splat(a[second] & 0xFFFFFFFFu), c1 = splat(a[second] >> 32), c18 = splat((a[second] >> 32) << 3);
      lanes offset = splat(b[first]), offset2 = splat(b[second]);
      lanes minimum1 = load(minima + 8 * first), minimum2 = load(minima + 8 * second);
      for (size_t vector = start; vector < end; vector++) {
        lanes h0 = load(low_halves + 8 * vector) & low32;
        lanes h1 = load(high_halves + 8 * vector) & low32;
        minimum1 = minimum(minimum1, affine(a0 & low32, a1 & low32, a18 & low32, offset, h0, h1));
        minimum2 = minimum(minimum2, affine(c0 & low32, c1 & low32, c18 & low32, offset2, h0, h1));
      }
      store(minima + 8 * first, minimum1);
      store(minima + 8 * second, minimum2);
    }
  }
}

const char *hatchery_minhash_variant(void) {
#if defined(__x86_64__) && defined(__ELF__)
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") ? "avx2" : "baseline";
#else
  return "baseline";
#endif
}
