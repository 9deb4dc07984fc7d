// Written-out references for the PAM BER tests, independent of phy/pam.hpp and the slicer:
// Gray bit counts and the Gaussian probability of a decision region.
#pragma once

#include <bit>
#include <span>

#include "phy/analysis/statistics.hpp"

namespace optilane::test {

/// Gray-coded bits that differ between PAM-M levels a and b: popcount(g(a) ⊕ g(b)), g(l) = l ⊕ l/2
/// (IEEE 802.3 cl. 120.5.7.1).
inline int gray_bit_errors(int a, int b) {
  return std::popcount(static_cast<unsigned>((a ^ (a >> 1)) ^ (b ^ (b >> 1))));
}

/// P(t_{j−1} < x + n < t_j), n ~ N(0, σ²): the probability that a noiseless sample x is decided
/// as level j with thresholds t (M − 1, increasing; regions 0 and M − 1 open), from the tails on
/// the far side of x (no 1 − Q cancellation).
inline double region_probability(double x, double sigma, std::span<const double> t, int j) {
  const int m = static_cast<int>(t.size()) + 1;
  const double a = j == 0 ? -1e300 : t[static_cast<std::size_t>(j - 1)];
  const double b = j == m - 1 ? 1e300 : t[static_cast<std::size_t>(j)];
  if (a >= x) return q_function((a - x) / sigma) - q_function((b - x) / sigma);
  if (b <= x) return q_function((x - b) / sigma) - q_function((x - a) / sigma);
  return 1.0 - q_function((x - a) / sigma) - q_function((b - x) / sigma);
}

}  // namespace optilane::test
