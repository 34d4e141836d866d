#include "hatchery_blas.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

// CBLAS's enumerations (the reference cblas.h): values fixed by the interface.
enum { cblas_row_major = 101, cblas_no_trans = 111, cblas_trans = 112 };

typedef void (*sgemm_function)(int, int, int, int, int, int, float, const float *, int, const float *, int, float,
                               float *, int);
typedef void (*set_threads_function)(int);
typedef char *(*config_function)(void);

static pthread_once_t load_once = PTHREAD_ONCE_INIT;
static const char *load_error = NULL;
static sgemm_function sgemm;
static set_threads_function set_threads;
static config_function config;

// OpenBLAS built with DYNAMIC_ARCH picks its kernels by CPU model at load time, and falls back to
// its oldest x86-64 kernels (Prescott: SSE3) for a model newer than its release knows — several
// times slower on a CPU with AVX2 or AVX-512. The kernel family is chosen here by the
// instruction sets instead, unless the user set OPENBLAS_CORETYPE.
static const char *core_type_for_this_cpu(void) {
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") &&
      __builtin_cpu_supports("avx512vl"))
    return "SkylakeX";
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return "Haswell";
#endif
  return NULL;
}

static void load(void) {
  const char *chosen = getenv("OPENBLAS_CORETYPE");
  const char *core_type = core_type_for_this_cpu();
  if ((chosen == NULL || chosen[0] == 0) && core_type != NULL) setenv("OPENBLAS_CORETYPE", core_type, 1);
  // libopenblas0 ships the versioned name; a development install also has the bare one.
  void *library = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) library = dlopen("libopenblas.so", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    load_error = dlerror();
    if (load_error == NULL) load_error = "libopenblas.so.0 could not be opened";
    return;
  }
  sgemm = (sgemm_function)dlsym(library, "cblas_sgemm");
  set_threads = (set_threads_function)dlsym(library, "openblas_set_num_threads");
  config = (config_function)dlsym(library, "openblas_get_config");
  if (sgemm == NULL || set_threads == NULL || config == NULL) {
    load_error = "the OpenBLAS found lacks cblas_sgemm, openblas_set_num_threads or openblas_get_config";
    sgemm = NULL;
  }
}

const char *hatchery_blas_load(void) {
  pthread_once(&load_once, load);
  return load_error;
}

void hatchery_blas_set_threads(int count) { set_threads(count); }

const char *hatchery_blas_config(void) { return config(); }

void hatchery_sgemm(bool transpose_a, bool transpose_b, int m, int n, int k, float alpha, const float *a, int lda,
                    const float *b, int ldb, float beta, float *c, int ldc) {
  sgemm(cblas_row_major, transpose_a ? cblas_trans : cblas_no_trans, transpose_b ? cblas_trans : cblas_no_trans, m, n,
        k, alpha, a, lda, b, ldb, beta, c, ldc);
}
