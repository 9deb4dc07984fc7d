#include "phy/analysis/gaussian_tail_table.hpp"

#include <algorithm>

namespace optilane {

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
