#ifndef HATCHERY_BLAS_H
#define HATCHERY_BLAS_H

#include <stdbool.h>

/// OpenBLAS, opened on first use rather than linked: a linked OpenBLAS starts its worker
/// threads when the process loads and they spin (sched_yield) for a while, costing every
/// command ~0.1 s of CPU whether or not it multiplies a matrix.

/// Opens OpenBLAS once; NULL when it is there, else why not (dlerror's message).
const char *hatchery_blas_load(void);

/// openblas_set_num_threads; only after a successful load.
void hatchery_blas_set_threads(int count);

/// openblas_get_config; only after a successful load.
const char *hatchery_blas_config(void);

/// cblas_sgemm in row-major order; only after a successful load.
void hatchery_sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float *a, int lda,
                    const float *b, int ldb, float beta, float *c, int ldc);

#endif
