#include "link/level_shaping.hpp"

#include <fmt/format.h>
#include <cmath>
#include <stdexcept>

namespace optilane {

namespace {
/// Symbols run per DC evaluation, plus four times the blocks' bulk delay: the transmitter
/// responses of the presets (a 4th-order Bessel driver, an EML's RC pole, an MZM's electrode FIR)
/// settle within a few symbols; the mean is taken over the last quarter.
constexpr int settle_symbols = 48;
/// Root-finding steps allowed (the Illinois method needs about ten on these curves).
constexpr int max_steps = 100;
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
    // Root of f(v) = P(v) − target on [lo, hi], where f changes sign (f(lo) = −k·span/3,
    // f(hi) = (3 − k)·span/3), by the Illinois variant of regula falsi (superlinear, and it keeps
    // the bracket): stop when |f| is below 1e-14 of the span, i.e. a drive error of order
    // 1e-14·swing on a curve whose slope is of order span/swing.
    double a = lo, b = hi;
    double fa = out.power_w[0] - target, fb = out.power_w[3] - target;
    double c = 0.5 * (a + b), pc = target;
    int side = 0;
    for (int step = 0; step < max_steps; ++step) {
      c = (a * fb - b * fa) / (fb - fa);
      pc = power(c);
      const double fc = pc - target;
      if (std::abs(fc) <= 1e-14 * std::abs(span)) break;
      if ((fc > 0.0) == (fb > 0.0)) {
        b = c;
        fb = fc;
        if (side == -1) fa *= 0.5;
        side = -1;
      } else {
        a = c;
        fa = fc;
        if (side == +1) fb *= 0.5;
        side = +1;
      }
    }
    const auto i = static_cast<std::size_t>(k);
    out.drive_v[i] = c;
    out.power_w[i] = pc;
  }
  return out;
}

}  // namespace optilane
