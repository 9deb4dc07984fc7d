#include "phy/analysis/cdr.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace optilane {

std::string_view cdr_kind_name(CdrKind kind) {
  switch (kind) {
    case CdrKind::optimum:
      return "optimum phase";
    case CdrKind::mueller_muller:
      return "Mueller-Muller";
    case CdrKind::bang_bang:
      return "bang-bang";
  }
  return "?";
}

CdrResult recover_clock(std::span<const double> x, int samples_per_symbol,
                        std::int64_t reference_offset, std::span<const double> thresholds,
                        std::span<const double> level_means, const CdrSettings& settings) {
  const int sps = samples_per_symbol;
  const int m = static_cast<int>(level_means.size());
  if (m < 2 || static_cast<int>(thresholds.size()) != m - 1) {
    throw std::invalid_argument("cdr: need M level means and M − 1 thresholds");
  }
  double mid = 0.0;
  for (double mu : level_means) mid += mu / m;
  const double half_span = 0.5 * std::abs(level_means.back() - level_means.front());
  if (!(half_span > 0.0)) throw std::invalid_argument("cdr: the levels are not distinct");
  auto sample_at = [&](double position) {
    const double p = std::clamp(position, 0.0, static_cast<double>(x.size() - 1));
    const auto i = static_cast<std::size_t>(std::floor(p));
    const double f = p - static_cast<double>(i);
    return i + 1 < x.size() ? (1.0 - f) * x[i] + f * x[i + 1] : x[i];
  };
  auto decide = [&](double y) {
    int l = 0;
    while (l < m - 1 && y > thresholds[static_cast<std::size_t>(l)]) ++l;
    return l;
  };
  CdrResult result;
  double tau_ui = settings.start_ui;
  double previous_y = 0.0;
  int previous = -1;
  for (std::int64_t k = 0;; ++k) {
    const double position = static_cast<double>(k * sps + reference_offset) + tau_ui * sps;
    if (position < 0.0) continue;
    if (position + sps >= static_cast<double>(x.size())) break;
    const double y = sample_at(position);
    const int decided = decide(y);
    if (previous >= 0) {
      const double a_now = level_means[static_cast<std::size_t>(decided)] - mid;
      const double a_before = level_means[static_cast<std::size_t>(previous)] - mid;
      if (settings.kind == CdrKind::mueller_muller) {
        const double e = (y - mid) * a_before - (previous_y - mid) * a_now;
        tau_ui += settings.gain * e / (half_span * half_span);
      } else if (settings.kind == CdrKind::bang_bang) {
        // Symmetric transitions only: the two levels are mirror images about the middle.
        if (decided + previous == m - 1 && decided != previous) {
          const double edge = sample_at(position - 0.5 * sps);
          const double late = (edge - mid) * (a_now - a_before);
          tau_ui -= 0.25 * settings.gain * (late > 0.0 ? 1.0 : (late < 0.0 ? -1.0 : 0.0));
        }
      }
      tau_ui = std::clamp(tau_ui, -1.0, 1.0);
    }
    previous_y = y;
    previous = decided;
    result.trajectory_ui.push_back(tau_ui);
  }
  const std::size_t n = result.trajectory_ui.size();
  if (n < 16) throw std::invalid_argument("cdr: record too short");
  double sum = 0.0, sq = 0.0;
  for (std::size_t i = n / 2; i < n; ++i) sum += result.trajectory_ui[i];
  const double count = static_cast<double>(n - n / 2);
  result.phase_ui = sum / count;
  for (std::size_t i = n / 2; i < n; ++i) {
    sq += (result.trajectory_ui[i] - result.phase_ui) * (result.trajectory_ui[i] - result.phase_ui);
  }
  result.jitter_rms_ui = std::sqrt(sq / count);
  return result;
}

}  // namespace optilane
