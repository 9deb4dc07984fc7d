// Gaussian tail Q(z) = ½·erfc(z/√2) by piecewise cubic Hermite interpolation on a uniform grid,
// with a relative error bound derived from the interpolation remainder.
//
// On each interval [z_k, z_k + h] (z ≥ 0) the cubic Hermite interpolant of Q through the node
// values Q(z_k) and the node slopes Q'(z_k) = −φ(z_k) has the remainder (Burden & Faires,
// "Numerical Analysis", Thm. 3.9)
//   |Q(z) − H(z)| ≤ max|Q⁽⁴⁾|·(z − z_k)²(z − z_k − h)²/4! ≤ h⁴/384 · max_I |Q⁽⁴⁾|,
// with Q⁽⁴⁾(z) = (z³ − 3z)·φ(z), so on I: max|Q⁽⁴⁾| ≤ max_I |z³ − 3z| · φ(z_k) (φ falls for z ≥ 0)
// and min_I Q = Q(z_k + h). The table's relative bound is the largest ratio over its intervals,
// plus the rounding of the evaluation (a few ulps: 1e-14 is added). For z < 0, Q(z) = 1 − Q(−z):
// the absolute error ε·Q(−z) ≤ ε/2 against 1 − Q(−z) ≥ ½, so the relative bound holds on both
// sides. Beyond |z| ≥ z_max, Q(z) by its asymptotic series (Abramowitz & Stegun 26.2.12)
//   Q(z) = φ(z)/z · (1 − z⁻² + 3z⁻⁴ − 15z⁻⁶ + R),   |R| < 105·z⁻⁸ ≤ 1.3e-7 for z ≥ 13
// (the remainder of this alternating asymptotic series is smaller than the first term left out):
// one exp instead of erfc's two and its rational approximation, inside the table's bound; where
// φ(z) leaves the normal range (z > 37.5, Q < 1e-308), the exact erfc. A sum of positive terms
// Σ p_b·Q(z_b) then has the same relative bound as its terms.
#pragma once

#include <cmath>
#include <cstddef>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace optilane {

class GaussianTailTable {
 public:
  /// Grid step h and the table's end z_max (|z| ≥ z_max: the asymptotic series).
  static constexpr double step = 1.0 / 128.0;
  static constexpr double z_max = 13.0;
  /// End of the asymptotic series: beyond, Q(z) < 1e-308 (subnormal), by erfc.
  static constexpr double z_series_max = 37.5;

  /// The process's table (built once, thread-safe static initialisation).
  [[nodiscard]] static const GaussianTailTable& instance();

  /// Q(z) within `relative_error_bound()` of ½·erfc(z/√2), relative.
  [[nodiscard]] double operator()(double z) const {
    const double a = std::abs(z);
    if (!(a < z_max)) {
      if (!(a < z_series_max)) return exact(z);
      const double r = 1.0 / (a * a);
      const double q =
          std::exp(-0.5 * a * a) * inverse_sqrt_2pi / a * (1.0 - r * (1.0 - r * (3.0 - 15.0 * r)));
      return z >= 0.0 ? q : 1.0 - q;
    }
    const double x = a * inverse_step;
    const auto k = static_cast<std::size_t>(x);
    const double t = x - static_cast<double>(k);
    const Node& n0 = nodes_[k];
    const Node& n1 = nodes_[k + 1];
    const double u = 1.0 - t;
    // Hermite basis: h00 = (1 + 2t)u², h10 = t·u², h01 = t²(3 − 2t), h11 = −t²·u; slopes
    // scaled by h (stored as h·Q').
    const double q =
        u * u * ((1.0 + 2.0 * t) * n0.q + t * n0.hd) + t * t * ((3.0 - 2.0 * t) * n1.q - u * n1.hd);
    return z >= 0.0 ? q : 1.0 - q;
  }

  /// Q at two points, each bit for bit operator()'s: the same operations in the same order, two
  /// lanes at a time (SSE2, no fused multiply-add); either point at or beyond z_max, or NaN, takes
  /// operator() for both.
  void two(double z0, double z1, double& q0, double& q1) const {
#if defined(__SSE2__)
    const __m128d z = _mm_set_pd(z1, z0);
    const __m128d a = _mm_andnot_pd(_mm_set1_pd(-0.0), z);
    if (_mm_movemask_pd(_mm_cmplt_pd(a, _mm_set1_pd(z_max))) != 3) {
      q0 = (*this)(z0);
      q1 = (*this)(z1);
      return;
    }
    const __m128d x = _mm_mul_pd(a, _mm_set1_pd(inverse_step));
    const __m128i k = _mm_cvttpd_epi32(x);  // x < z_max/step = 1664: exact as an int
    const __m128d t = _mm_sub_pd(x, _mm_cvtepi32_pd(k));
    const auto k0 = static_cast<std::size_t>(_mm_cvtsi128_si32(k));
    const auto k1 = static_cast<std::size_t>(_mm_cvtsi128_si32(_mm_shuffle_epi32(k, 1)));
    const __m128d lane0_n0 = _mm_loadu_pd(&nodes_[k0].q);  // (q, hd) of node k0
    const __m128d lane1_n0 = _mm_loadu_pd(&nodes_[k1].q);
    const __m128d lane0_n1 = _mm_loadu_pd(&nodes_[k0 + 1].q);
    const __m128d lane1_n1 = _mm_loadu_pd(&nodes_[k1 + 1].q);
    const __m128d n0q = _mm_unpacklo_pd(lane0_n0, lane1_n0);
    const __m128d n0hd = _mm_unpackhi_pd(lane0_n0, lane1_n0);
    const __m128d n1q = _mm_unpacklo_pd(lane0_n1, lane1_n1);
    const __m128d n1hd = _mm_unpackhi_pd(lane0_n1, lane1_n1);
    const __m128d one = _mm_set1_pd(1.0), two = _mm_set1_pd(2.0), three = _mm_set1_pd(3.0);
    const __m128d u = _mm_sub_pd(one, t);
    // u·u·((1 + 2t)·n0.q + t·n0.hd) + t·t·((3 − 2t)·n1.q − u·n1.hd), as operator() groups it.
    const __m128d left = _mm_mul_pd(
        _mm_mul_pd(u, u),
        _mm_add_pd(_mm_mul_pd(_mm_add_pd(one, _mm_mul_pd(two, t)), n0q), _mm_mul_pd(t, n0hd)));
    const __m128d right = _mm_mul_pd(
        _mm_mul_pd(t, t),
        _mm_sub_pd(_mm_mul_pd(_mm_sub_pd(three, _mm_mul_pd(two, t)), n1q), _mm_mul_pd(u, n1hd)));
    const __m128d q = _mm_add_pd(left, right);
    const __m128d positive = _mm_cmpge_pd(z, _mm_setzero_pd());
    const __m128d r =
        _mm_or_pd(_mm_and_pd(positive, q), _mm_andnot_pd(positive, _mm_sub_pd(one, q)));
    q0 = _mm_cvtsd_f64(r);
    q1 = _mm_cvtsd_f64(_mm_unpackhi_pd(r, r));
#else
    q0 = (*this)(z0);
    q1 = (*this)(z1);
#endif
  }

  /// q[i] = Q(z[i]) for i < n, each bit for bit operator()'s: four at a time with AVX2 where the
  /// CPU has it and gaussian_simd_active() (phy/random.hpp; the same operations in the same
  /// order, target("avx2") enabling no fused multiply-add; a group with a point at or beyond
  /// z_max, or NaN, takes operator()), else many_portable.
  void many(const double* z, double* q, std::size_t n) const;
  /// The same by two() and operator() (the reference many()'s AVX2 path is tested against).
  void many_portable(const double* z, double* q, std::size_t n) const;

  /// Bound on |Q_table(z) − Q(z)| / Q(z) over all z (derived per interval, see above).
  [[nodiscard]] double relative_error_bound() const {
    return bound_;
  }

  /// ½·erfc(z/√2).
  [[nodiscard]] static double exact(double z) {
    return 0.5 * std::erfc(z * M_SQRT1_2);
  }

 private:
  GaussianTailTable();
  void many_avx2(const double* z, double* q, std::size_t n) const;
  struct Node {
    double q;   ///< Q(z_k)
    double hd;  ///< h·Q'(z_k) = −h·φ(z_k)
  };
  static constexpr double inverse_step = 1.0 / step;
  static constexpr double inverse_sqrt_2pi = 0.398942280401432677939946059934381868;
  std::vector<Node> nodes_;
  double bound_ = 0.0;
};

}  // namespace optilane
