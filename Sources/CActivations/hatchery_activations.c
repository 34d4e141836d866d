#include "hatchery_activations.h"

#include <stdint.h>

// Sixteen floats: one AVX-512 register, two AVX2 ones, four SSE ones. The helpers take vectors
// by pointer and are always inlined: a vector passed by value between functions built for
// different processors changes the calling convention, which clang refuses.
#define HELPER static inline __attribute__((always_inline))

typedef float lanes __attribute__((vector_size(64), aligned(4)));
typedef int32_t integer_lanes __attribute__((vector_size(64), aligned(4)));
enum { width = 16 };

// Up to 16 floats; the lanes past `count` hold `fill`.
HELPER void load(lanes *vector, const float *values, size_t count, float fill) {
  if (count >= width) {
    __builtin_memcpy(vector, values, sizeof *vector);
    return;
  }
  *vector = (lanes){} + fill;
  for (size_t lane = 0; lane < count; lane++) (*vector)[lane] = values[lane];
}

HELPER void store(float *values, const lanes *vector, size_t count) {
  if (count >= width) {
    __builtin_memcpy(values, vector, sizeof *vector);
    return;
  }
  for (size_t lane = 0; lane < count; lane++) values[lane] = (*vector)[lane];
}

HELPER void clamp(lanes *x, float low, float high) {
  *x = __builtin_elementwise_min(__builtin_elementwise_max(*x, (lanes){} + low), (lanes){} + high);
}

HELPER void exponential(lanes *x) {
  // 1.5 · 2²³: added to a float below 2²² in magnitude, it rounds it to the nearest integer, held
  // in the mantissa's low bits. ln 2 is split so that n · ln2_high is exact (Cephes' C1, C2).
  const float rounding_bias = 12582912.0f, log2e = 1.44269504f;
  const float ln2_high = 0.693359375f, ln2_low = -2.12194440e-4f;
  clamp(x, -87.0f, 88.0f);
  lanes biased = *x * log2e + rounding_bias;
  lanes n = biased - rounding_bias;
  lanes r = *x - n * ln2_high - n * ln2_low;
  lanes p = (lanes){} + 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * (r * r) + r + 1.0f;
  integer_lanes exponent = ((integer_lanes)biased - (integer_lanes)((lanes){} + rounding_bias) + 127) << 23;
  *x = p * (lanes)exponent;
}

// tanh through one eˣ, 1 − 2/(e²ᵃ + 1), |a| clamped to 15 where tanh is ±1 in floats.
HELPER void hyperbolic_tangent(lanes *a) {
  clamp(a, -15.0f, 15.0f);
  *a *= 2.0f;
  exponential(a);
  *a = 1.0f - 2.0f / (*a + 1.0f);
}

static const float gelu_scale = 0.7978845608f;  // √(2/π)
static const float gelu_cubic = 0.044715f;

#if defined(__x86_64__) && defined(__ELF__)
#define HATCHERY_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define HATCHERY_CLONES
#endif

HATCHERY_CLONES
void hatchery_softmax(float *out, const float *input, size_t count) {
  lanes maxima = (lanes){} - __FLT_MAX__, x;
  for (size_t i = 0; i < count; i += width) {
    load(&x, input + i, count - i, -__FLT_MAX__);
    maxima = __builtin_elementwise_max(maxima, x);
  }
  float maximum = maxima[0];
  for (int lane = 1; lane < width; lane++) maximum = maxima[lane] > maximum ? maxima[lane] : maximum;
  lanes sums = {};
  for (size_t i = 0; i < count; i += width) {
    load(&x, input + i, count - i, 0);
    x -= maximum;
    exponential(&x);
    // Lanes past the end are not stored; they are set to 0 so the sum leaves them out.
    for (size_t lane = count - i; lane < width; lane++) x[lane] = 0;
    store(out + i, &x, count - i);
    sums += x;
  }
  float sum = 0;
  for (int lane = 0; lane < width; lane++) sum += sums[lane];
  const float inverse = 1.0f / sum;
  for (size_t i = 0; i < count; i += width) {
    load(&x, out + i, count - i, 0);
    x *= inverse;
    store(out + i, &x, count - i);
  }
}

HATCHERY_CLONES
void hatchery_gelu_forward(float *out, const float *input, size_t count) {
  lanes x, t;
  for (size_t i = 0; i < count; i += width) {
    load(&x, input + i, count - i, 0);
    t = gelu_scale * (x + gelu_cubic * x * x * x);
    hyperbolic_tangent(&t);
    x = 0.5f * x * (1.0f + t);
    store(out + i, &x, count - i);
  }
}

HATCHERY_CLONES
void hatchery_gelu_backward(float *dinput, const float *input, const float *dout, size_t count) {
  lanes x, t, gradient, sum;
  for (size_t i = 0; i < count; i += width) {
    load(&x, input + i, count - i, 0);
    lanes square = x * x;
    t = gelu_scale * (x + gelu_cubic * square * x);
    hyperbolic_tangent(&t);
    // d/dx ½x(1 + tanh u) = ½(1 + tanh u) + ½x·sech²u·u′, sech² = 1 − tanh².
    lanes slope = 0.5f * (1.0f + t) + 0.5f * gelu_scale * x * (1.0f - t * t) * (1.0f + 3.0f * gelu_cubic * square);
    load(&gradient, dout + i, count - i, 0);
    load(&sum, dinput + i, count - i, 0);
    sum += slope * gradient;
    store(dinput + i, &sum, count - i);
  }
}
