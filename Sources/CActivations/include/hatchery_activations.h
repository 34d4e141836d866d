#ifndef HATCHERY_ACTIVATIONS_H
#define HATCHERY_ACTIVATIONS_H

#include <stddef.h>

/// The trainer's element-wise kernels built on eˣ, sixteen floats at a time. Compiled for
/// x86-64-v4 (AVX-512), x86-64-v3 (AVX2, FMA) and the baseline (or the target's), the
/// processor's choice made once at load time. eˣ is Cephes' `expf` method (x = n·ln 2 + r, a
/// degree-6 polynomial for eʳ, 2ⁿ written into the exponent), within 1 ulp of eˣ rounded, its
/// input clamped to [−87, 88]: below e⁻⁸⁷ (≈ 1.6·10⁻³⁸) the result reads as e⁻⁸⁷, which no sum
/// here can tell from 0.

/// out[0..<count] = softmax(input[0..<count]); `out` may be `input`.
void hatchery_softmax(float *out, const float *input, size_t count);

/// out[i] = GELU(input[i]) with the tanh approximation (GPT-2's `gelu_new`).
void hatchery_gelu_forward(float *out, const float *input, size_t count);

/// dinput[i] += GELU′(input[i]) · dout[i].
void hatchery_gelu_backward(float *dinput, const float *input, const float *dout, size_t count);

#endif
