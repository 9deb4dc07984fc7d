#include "phy/analysis/gaussian_tail_table.hpp"

#include <algorithm>

#include "phy/random.hpp"

#if defined(__x86_64__) && defined(__GNUC__)
#define OPTILANE_TAIL_TABLE_AVX2 1
#include <immintrin.h>
#endif

namespace optilane {

void GaussianTailTable::many(const double* z, double* q, std::size_t n) const {
  // The project's AVX2 switch (phy/random.hpp): where the CPU has AVX2 and tests allow it.
  if (gaussian_simd_active()) {
    many_avx2(z, q, n);
  } else {
    many_portable(z, q, n);
  }
}

void GaussianTailTable::many_portable(const double* z, double* q, std::size_t n) const {
  std::size_t i = 0;
  for (; i + 2 <= n; i += 2) two(z[i], z[i + 1], q[i], q[i + 1]);
  for (; i < n; ++i) q[i] = (*this)(z[i]);
}

#ifdef OPTILANE_TAIL_TABLE_AVX2
// operator()'s evaluation on four lanes: |z|, its node k and offset t, the nodes k and k + 1 of
// each lane in one 32-byte load (Node is two doubles, adjacent nodes adjacent in memory), and the
// Hermite form with the same products and sums in the same order (no FMA: target("avx2") does
// not enable it), then Q or 1 − Q by the sign of z.
__attribute__((target("avx2"))) void GaussianTailTable::many_avx2(const double* z, double* q,
                                                                  std::size_t n) const {
  const __m256d sign = _mm256_set1_pd(-0.0);
  const __m256d limit = _mm256_set1_pd(z_max);
  const __m256d inverse = _mm256_set1_pd(inverse_step);
  const __m256d zero = _mm256_setzero_pd();
  const __m256d one = _mm256_set1_pd(1.0), two = _mm256_set1_pd(2.0), three = _mm256_set1_pd(3.0);
  std::size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d zz = _mm256_loadu_pd(z + i);
    const __m256d a = _mm256_andnot_pd(sign, zz);
    if (_mm256_movemask_pd(_mm256_cmp_pd(a, limit, _CMP_LT_OQ)) != 15) {
      for (std::size_t l = 0; l < 4; ++l) q[i + l] = (*this)(z[i + l]);
      continue;
    }
    const __m256d x = _mm256_mul_pd(a, inverse);
    const __m128i k = _mm256_cvttpd_epi32(x);  // x < z_max/step = 1664: exact as an int
    const __m256d t = _mm256_sub_pd(x, _mm256_cvtepi32_pd(k));
    alignas(16) int index[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(index), k);
    // Lane l: (q_k, hd_k, q_k+1, hd_k+1).
    const __m256d l0 = _mm256_loadu_pd(&nodes_[static_cast<std::size_t>(index[0])].q);
    const __m256d l1 = _mm256_loadu_pd(&nodes_[static_cast<std::size_t>(index[1])].q);
    const __m256d l2 = _mm256_loadu_pd(&nodes_[static_cast<std::size_t>(index[2])].q);
    const __m256d l3 = _mm256_loadu_pd(&nodes_[static_cast<std::size_t>(index[3])].q);
    const __m256d q01 = _mm256_unpacklo_pd(l0, l1);   // q_k0, q_k1, q_k0+1, q_k1+1
    const __m256d q23 = _mm256_unpacklo_pd(l2, l3);   // q_k2, q_k3, q_k2+1, q_k3+1
    const __m256d hd01 = _mm256_unpackhi_pd(l0, l1);  // the slopes, the same way
    const __m256d hd23 = _mm256_unpackhi_pd(l2, l3);
    const __m256d n0q = _mm256_permute2f128_pd(q01, q23, 0x20);
    const __m256d n1q = _mm256_permute2f128_pd(q01, q23, 0x31);
    const __m256d n0hd = _mm256_permute2f128_pd(hd01, hd23, 0x20);
    const __m256d n1hd = _mm256_permute2f128_pd(hd01, hd23, 0x31);
    const __m256d u = _mm256_sub_pd(one, t);
    // u·u·((1 + 2t)·n0.q + t·n0.hd) + t·t·((3 − 2t)·n1.q − u·n1.hd), as operator() groups it.
    const __m256d left =
        _mm256_mul_pd(_mm256_mul_pd(u, u),
                      _mm256_add_pd(_mm256_mul_pd(_mm256_add_pd(one, _mm256_mul_pd(two, t)), n0q),
                                    _mm256_mul_pd(t, n0hd)));
    const __m256d right =
        _mm256_mul_pd(_mm256_mul_pd(t, t),
                      _mm256_sub_pd(_mm256_mul_pd(_mm256_sub_pd(three, _mm256_mul_pd(two, t)), n1q),
                                    _mm256_mul_pd(u, n1hd)));
    const __m256d value = _mm256_add_pd(left, right);
    const __m256d positive = _mm256_cmp_pd(zz, zero, _CMP_GE_OQ);
    _mm256_storeu_pd(q + i, _mm256_blendv_pd(_mm256_sub_pd(one, value), value, positive));
  }
  many_portable(z + i, q + i, n - i);
}
#else
void GaussianTailTable::many_avx2(const double* z, double* q, std::size_t n) const {
  many_portable(z, q, n);
}
#endif

const GaussianTailTable& GaussianTailTable::instance() {
  static const GaussianTailTable table;
  return table;
}

GaussianTailTable::GaussianTailTable() {
  const auto intervals = static_cast<std::size_t>(std::ceil(z_max / step));
  const double inv_sqrt_2pi = 0.5 * M_2_SQRTPI * M_SQRT1_2;
  auto phi = [&](double z) { return inv_sqrt_2pi * std::exp(-0.5 * z * z); };
  nodes_.resize(intervals + 2);
  for (std::size_t k = 0; k < nodes_.size(); ++k) {
    const double z = static_cast<double>(k) * step;
    nodes_[k] = {exact(z), -step * phi(z)};
  }
  // Remainder bound per interval, relative to the smallest Q on it.
  const double h4 = step * step * step * step / 384.0;
  auto g = [](double z) { return std::abs(z * z * z - 3.0 * z); };
  for (std::size_t k = 0; k < intervals; ++k) {
    const double a = static_cast<double>(k) * step, b = a + step;
    double g_max = std::max(g(a), g(b));
    if (a <= 1.0 && 1.0 <= b) g_max = std::max(g_max, 2.0);  // |z³ − 3z| peaks at z = 1 on [0, √3]
    bound_ = std::max(bound_, h4 * g_max * phi(a) / exact(b));
  }
  bound_ += 1e-14;  // rounding of the evaluation
  // Beyond z_max, the asymptotic series: remainder < 105·z⁻⁸, plus exp's argument rounding
  // (½z² ≤ 703 known to an ulp: ≤ 1e-13 relative).
  bound_ = std::max(bound_, 105.0 / std::pow(z_max, 8) + 1e-13);
}

}  // namespace optilane
