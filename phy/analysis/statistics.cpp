#include "phy/analysis/statistics.hpp"

#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/erf.hpp>
#include <cmath>

namespace optilane {

double q_function(double x) {
  return 0.5 * std::erfc(x / std::sqrt(2.0));
}

double q_inverse(double p) {
  return std::sqrt(2.0) * boost::math::erfc_inv(2.0 * p);
}

double log10_q_function(double x) {
  if (x < 30.0) return std::log10(q_function(x));
  // Asymptotic expansion Q(x) ≈ φ(x)/x · (1 − 1/x² + 3/x⁴) for large x.
  const double log_phi = -0.5 * x * x - 0.5 * std::log(2.0 * M_PI);
  const double series = 1.0 - 1.0 / (x * x) + 3.0 / (x * x * x * x);
  return (log_phi - std::log(x) + std::log(series)) / std::log(10.0);
}

std::pair<double, double> clopper_pearson_95(std::uint64_t errors, std::uint64_t trials) {
  if (trials == 0) return {0.0, 1.0};
  const double alpha = 0.05;
  const double k = static_cast<double>(errors), n = static_cast<double>(trials);
  const double lower = errors == 0 ? 0.0 : boost::math::ibeta_inv(k, n - k + 1.0, alpha / 2.0);
  const double upper =
      errors == trials ? 1.0 : boost::math::ibeta_inv(k + 1.0, n - k, 1.0 - alpha / 2.0);
  return {lower, upper};
}

}  // namespace optilane
