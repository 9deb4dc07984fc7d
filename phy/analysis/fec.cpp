#include "phy/analysis/fec.hpp"

#include <algorithm>
#include <cmath>

namespace optilane {
namespace {

/// log of C(n,i) p^i (1−p)^(n−i), computed in logs to stay finite far in the tail.
double log_binomial_term(int n, int i, double p) {
  return std::lgamma(n + 1.0) - std::lgamma(i + 1.0) - std::lgamma(n - i + 1.0) + i * std::log(p) +
         (n - i) * std::log1p(-p);
}

double symbol_error_probability(double ber, int bits) {
  return -std::expm1(bits * std::log1p(-ber));  // 1 − (1 − p)^m without cancellation
}

}  // namespace

double rs_codeword_failure(double ber, const ReedSolomonCode& code) {
  if (ber <= 0.0) return 0.0;
  const double ps = symbol_error_probability(ber, code.bits_per_symbol);
  double sum = 0.0;
  for (int i = code.t + 1; i <= code.n; ++i) sum += std::exp(log_binomial_term(code.n, i, ps));
  return sum;
}

double rs_post_fec_ber(double ber, const ReedSolomonCode& code) {
  if (ber <= 0.0) return 0.0;
  const double ps = symbol_error_probability(ber, code.bits_per_symbol);
  double ser_out = 0.0;
  for (int i = code.t + 1; i <= code.n; ++i) {
    ser_out += (static_cast<double>(i) / code.n) * std::exp(log_binomial_term(code.n, i, ps));
  }
  return ser_out * ber / ps;
}

double hamming_128_120_post_ber(double ber) {
  if (ber <= 0.0) return 0.0;
  constexpr int n = 128;
  double out = 0.0;
  for (int i = 2; i <= n; ++i) {
    out += std::exp(log_binomial_term(n, i, ber)) * (i + (i % 2)) / static_cast<double>(n);
  }
  return std::min(out, 0.5);
}

double hamming_128_120_hard_threshold_ber() {
  static const double threshold = [] {
    // Bisection in log(p): the post-decoder BER rises monotonically with p on [1e-6, 0.05].
    constexpr double kp4_threshold = 2.4e-4;  // KP4 pre-FEC threshold (figures.md §1.1, V)
    double lo = std::log(1e-6), hi = std::log(5e-2);
    for (int i = 0; i < 100; ++i) {
      const double mid = 0.5 * (lo + hi);
      (hamming_128_120_post_ber(std::exp(mid)) < kp4_threshold ? lo : hi) = mid;
    }
    return std::exp(0.5 * (lo + hi));
  }();
  return threshold;
}

double concatenated_post_fec_ber(double ber) {
  const double scale = hamming_128_120_hard_threshold_ber() / inner_fec_soft_threshold_ber;
  return rs_post_fec_ber(hamming_128_120_post_ber(std::min(ber * scale, 0.5)));
}

double concatenated_hard_post_fec_ber(double ber) {
  return rs_post_fec_ber(hamming_128_120_post_ber(ber));
}

}  // namespace optilane
