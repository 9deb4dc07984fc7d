// Statistics used by the BER analyses.
//
// Q(x) = ½ erfc(x/√2), the Gaussian tail probability. The Monte-Carlo BER interval is the exact
// (Clopper–Pearson 1934) 95 % interval for k errors in n bits: the α/2 and 1−α/2 quantiles of
// Beta(k, n−k+1) and Beta(k+1, n−k), computed with Boost.Math's inverse incomplete beta.
#pragma once

#include <cstdint>
#include <utility>

namespace optilane {

[[nodiscard]] double q_function(double x);
/// Inverse of Q: the x with Q(x) = p, 0 < p < 1.
[[nodiscard]] double q_inverse(double p);
/// Log10 of Q(x), accurate far into the tail (x up to ~38 before underflow of Q itself).
[[nodiscard]] double log10_q_function(double x);

/// Exact two-sided 95 % (Clopper–Pearson) interval for a proportion with `errors` in `trials`.
[[nodiscard]] std::pair<double, double> clopper_pearson_95(std::uint64_t errors,
                                                           std::uint64_t trials);

}  // namespace optilane
