#include "link/level_shaping.hpp"

#include <fmt/format.h>
#include <cmath>
#include <stdexcept>

namespace optilane {

namespace {
/// Symbols run per DC evaluation: the longest transmitter response in the presets (a 4th-order
/// Bessel driver, an EML RC pole, an MZM electrode FIR) settles within a few symbols; the mean is
/// taken over the last quarter, well past the blocks' bulk delays (checked against latency).
constexpr int settle_symbols = 128;
/// Bisection steps: the bracket [−swing/2, +swing/2] shrinks by 2^−60, below double resolution.
constexpr int bisection_steps = 60;
}  // namespace

std::optional<std::size_t> optical_transmitter_index(
    const std::vector<std::unique_ptr<Block>>& chain) {
  Domain domain = Domain::electrical;
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const Domain out = chain[i]->output_domain(domain);
    if (out == Domain::optical && domain != Domain::optical) return i;
    domain = out;
  }
  return std::nullopt;
}

double settled_transmitter_power_w(const std::vector<std::unique_ptr<Block>>& chain,
                                   std::size_t transmitter, const LaneContext& lane,
                                   double source_v) {
  const int sps = lane.samples_per_symbol;
  double latency = 0.0;
  for (std::size_t i = 0; i <= transmitter; ++i) latency += chain[i]->latency_samples();
  const auto samples = static_cast<std::size_t>(settle_symbols) * static_cast<std::size_t>(sps) +
                       static_cast<std::size_t>(std::ceil(4.0 * latency));
  Signal signal;
  signal.domain = Domain::electrical;
  signal.electrical.assign(samples, source_v);
  signal.sample_rate_hz = lane.sample_rate_hz();
  signal.wavelength_m = lane.wavelength_m;
  for (std::size_t i = 0; i <= transmitter; ++i) {
    std::unique_ptr<Block> block = chain[i]->clone();
    block->set_noise_enabled(false);
    block->process(signal);
  }
  if (signal.domain != Domain::optical || signal.optical.size() != samples) {
    throw std::logic_error("level shaping: the transmitter's output is not an optical chunk");
  }
  const std::size_t first = samples - samples / 4;
  double sum = 0.0;
  for (std::size_t i = first; i < samples; ++i) sum += std::norm(signal.optical[i]);
  return sum / static_cast<double>(samples - first);
}

ShapedLevels shape_pam4_levels(const std::vector<std::unique_ptr<Block>>& chain,
                               const LaneContext& lane, double swing_v) {
  const std::optional<std::size_t> tx = optical_transmitter_index(chain);
  if (!tx) {
    throw std::invalid_argument(
        "level shaping needs an optical transmitter (a modulator or directly modulated laser) in "
        "the segment its source drives");
  }
  ShapedLevels out;
  out.transmitter = *tx;
  auto power = [&](double v) { return settled_transmitter_power_w(chain, *tx, lane, v); };
  const double lo = -0.5 * swing_v, hi = 0.5 * swing_v;
  out.drive_v = {lo, 0.0, 0.0, hi};
  out.power_w[0] = power(lo);
  out.power_w[3] = power(hi);
  const double span = out.power_w[3] - out.power_w[0];
  if (!(std::abs(span) > 0.0) || !std::isfinite(span)) {
    throw std::invalid_argument(fmt::format(
        "level shaping: the outer levels give the same optical power ({:.4g} W, {:.4g} W)",
        out.power_w[0], out.power_w[3]));
  }
  for (int k = 1; k <= 2; ++k) {
    const double target = out.power_w[0] + span * k / 3.0;
    // f(v) = P(v) − target changes sign on [lo, hi] (f(lo) = −span/3·k, f(hi) = span(1 − k/3)).
    double a = lo, b = hi;
    const double sign_a = std::copysign(1.0, out.power_w[0] - target);
    for (int step = 0; step < bisection_steps; ++step) {
      const double m = 0.5 * (a + b);
      if (std::copysign(1.0, power(m) - target) == sign_a) {
        a = m;
      } else {
        b = m;
      }
    }
    const auto i = static_cast<std::size_t>(k);
    out.drive_v[i] = 0.5 * (a + b);
    out.power_w[i] = power(out.drive_v[i]);
  }
  return out;
}

}  // namespace optilane
