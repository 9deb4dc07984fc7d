#include "phy/analysis/steady_state_levels.hpp"

#include <Eigen/Dense>
#include <cmath>
#include <stdexcept>
#include <vector>

namespace optilane {

std::vector<double> steady_state_levels(std::span<const double> samples, int sps,
                                        std::span<const int> levels, int level_count,
                                        double latency_samples, int pre, int post) {
  if (sps < 1 || level_count < 2 || pre < 0 || post < 0 || !(latency_samples >= 0.0)) {
    throw std::invalid_argument("steady_state_levels: bad arguments");
  }
  const auto d = static_cast<std::int64_t>(std::floor(latency_samples / sps));
  const auto record = static_cast<std::int64_t>(samples.size()) / sps;
  const std::int64_t count = std::min(static_cast<std::int64_t>(levels.size()), record - d);
  const int window = pre + post + 1;
  const int unknowns = window * (level_count - 1) + 1;
  const std::int64_t rows = count - window + 1;
  if (rows < 4 * unknowns) {
    throw std::invalid_argument("steady_state_levels: record too short for the cursor window");
  }
  // Rows k = post … count−1−pre: y_k against the indicators of a_{k−i}, i = −pre … post. The
  // regressors are 0/1 indicators (at most one per cursor, plus the constant), so the normal
  // matrix ZᵀZ is a table of co-occurrence counts — integers, exact in any summation order — and
  // Zᵀy sums y_k over the rows where each indicator is set. Both are accumulated row by row from
  // the row's active columns, without forming the rows × unknowns matrix Z.
  Eigen::MatrixXd normal = Eigen::MatrixXd::Zero(unknowns, unknowns);
  Eigen::VectorXd rhs = Eigen::VectorXd::Zero(unknowns);
  std::vector<int> active(static_cast<std::size_t>(window) + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t k = r + post;
    const double* x = samples.data() + (k + d) * sps;
    double sum = 0.0;
    for (int q = 0; q < sps; ++q) sum += x[q];
    const double y = sum / sps;
    std::size_t n = 0;
    for (int i = -pre; i <= post; ++i) {
      const int a = levels[static_cast<std::size_t>(k - i)];
      if (a < 0 || a >= level_count) throw std::invalid_argument("steady_state_levels: bad level");
      if (a > 0) active[n++] = (i + pre) * (level_count - 1) + (a - 1);
    }
    active[n++] = unknowns - 1;  // the constant; columns increase along `active`
    for (std::size_t u = 0; u < n; ++u) {
      rhs(active[u]) += y;
      for (std::size_t v = 0; v <= u; ++v) normal(active[u], active[v]) += 1.0;
    }
  }
  normal = normal.selfadjointView<Eigen::Lower>();
  const Eigen::VectorXd g = normal.ldlt().solve(rhs);
  std::vector<double> out(static_cast<std::size_t>(level_count), g(unknowns - 1));
  for (int l = 1; l < level_count; ++l) {
    for (int i = 0; i < window; ++i)
      out[static_cast<std::size_t>(l)] += g(i * (level_count - 1) + l - 1);
  }
  return out;
}

}  // namespace optilane
