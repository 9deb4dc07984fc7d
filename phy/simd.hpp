// Function multi-versioning for the per-sample kernels (issue 9): OPTILANE_SIMD_CLONES before a
// function compiles it twice, for baseline x86-64 (SSE2, what the project builds for) and for
// AVX2, and the loader picks the AVX2 clone where the CPU has it (GCC/Clang `target_clones`,
// resolved once per process by an ifunc). Four doubles per instruction instead of two in the
// loops the compiler vectorises.
//
// Same results bit for bit on either clone: the clones differ only in vector width. No FMA is
// enabled ("avx2" does not imply "fma", so no product and sum is fused into one rounding), and the
// compiler never reassociates floating-point arithmetic without -ffast-math, so each element sees
// the same IEEE operations in the same order. Only for element-wise loops (no reductions whose
// order a wider vector would change — GCC keeps those serial anyway without -ffast-math).
#pragma once

#if defined(__x86_64__) && defined(__GNUC__) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define OPTILANE_SIMD_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef OPTILANE_SIMD_CLONES
#define OPTILANE_SIMD_CLONES
#endif
