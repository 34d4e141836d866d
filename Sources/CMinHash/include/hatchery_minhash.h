#ifndef HATCHERY_MINHASH_H
#define HATCHERY_MINHASH_H

#include <stddef.h>
#include <stdint.h>

/// MinHash's inner loop over lanes of eight 64-bit values: for each permutation i < hash_count,
/// minima[8i .. 8i+7] becomes the lane-wise minimum of itself and (a[i]·h + b[i]) mod (2^61 − 1)
/// over the shingles h of `vectors` groups of eight, given as their 32-bit halves
/// (low_halves[8v + lane], high_halves[8v + lane], h < 2^61 − 1). Every minimum stays below
/// 2^61 − 1. Compiled for AVX2 and for the x86-64 baseline (or the target's), the processor's
/// choice made once at load time.
void hatchery_minhash_update(const uint64_t *low_halves, const uint64_t *high_halves, size_t vectors,
                             const uint64_t *a, const uint64_t *b, size_t hash_count, uint64_t *minima);

/// Which build of `hatchery_minhash_update` this processor runs: "avx2" or "baseline".
const char *hatchery_minhash_variant(void);

#endif
