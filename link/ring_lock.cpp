#include "link/ring_lock.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "devices/modulators/mrm.hpp"
#include "phy/pam.hpp"

namespace optilane {

namespace {
/// Symbols of start-up after the upstream bulk delay, before the decisions start (Mrm: 64 more
/// before the period), and after the period (the runs that start in it end in the record).
constexpr std::int64_t margin_symbols = 64;
}  // namespace

std::int64_t whole_pattern_window_symbols(const SignalConfig& signal) {
  // As the transmitter analysis: the longest window, one SSPRQ period; a random pattern's.
  constexpr std::uint64_t max_period_symbols = 65535;
  constexpr std::int64_t random_period_symbols = 16384;
  const std::uint64_t period = pattern_period_symbols(signal.pattern, signal.modulation);
  return period > 0 ? static_cast<std::int64_t>(std::min(period, max_period_symbols))
                    : random_period_symbols;
}

NoiselessPrePass noiseless_pre_pass(const std::vector<std::unique_ptr<Block>>& chain,
                                    std::size_t end_block, const LinkConfig& config, int lane,
                                    PatternGenerator pattern,
                                    std::span<const double> source_level_v, std::int64_t symbols) {
  const SignalConfig& sig = config.signal;
  const int sps = sig.samples_per_symbol;
  if (end_block > chain.size() || symbols < 0) {
    throw std::logic_error("noiseless pre-pass: past the chain or a negative length");
  }
  NoiselessPrePass out;
  // The run's symbols from their start, at the source.
  out.levels.resize(static_cast<std::size_t>(symbols));
  pattern.next(out.levels);
  Precoder precoder(levels_of(sig.modulation));
  Signal& signal = out.signal;
  signal.domain = Domain::electrical;
  signal.has_carrier = false;
  signal.sample_rate_hz = lane_context(config, lane).sample_rate_hz();
  signal.wavelength_m = config.lanes.wavelengths_m.at(static_cast<std::size_t>(lane));
  signal.first_sample = 0;
  signal.chunk_index = 0;
  signal.electrical.resize(static_cast<std::size_t>(symbols * sps));
  for (std::int64_t k = 0; k < symbols; ++k) {
    int& symbol = out.levels[static_cast<std::size_t>(k)];
    if (sig.precoding) symbol = precoder.encode(symbol);
    std::fill_n(signal.electrical.begin() + k * sps, sps,
                source_level_v[static_cast<std::size_t>(symbol)]);
  }
  // Through noiseless fresh copies of the blocks (the chain as built).
  for (std::size_t i = 0; i < end_block; ++i) {
    std::unique_ptr<Block> block = chain[i]->clone();
    block->set_noise_enabled(false);
    block->process(signal);
  }
  if (signal.size() != static_cast<std::size_t>(symbols * sps)) {
    throw std::logic_error("noiseless pre-pass: a block changed the record length");
  }
  return out;
}

std::size_t lock_rings_on_pattern(const std::vector<std::unique_ptr<Block>>& chain,
                                  const LinkConfig& config, int lane, PatternGenerator pattern,
                                  std::span<const double> source_level_v, std::size_t first_block) {
  const int sps = config.signal.samples_per_symbol;
  std::size_t locked = 0;
  for (std::size_t r = first_block; r < chain.size(); ++r) {
    auto* ring = dynamic_cast<Mrm*>(chain[r].get());
    if (ring == nullptr || !ring->locks_on_modulation()) continue;
    const std::int64_t period = whole_pattern_window_symbols(config.signal);
    double delay = 0.0;
    for (std::size_t i = 0; i < r; ++i) delay += chain[i]->latency_samples();
    const auto delay_symbols = static_cast<std::int64_t>(std::ceil(delay / sps));
    const std::int64_t first = delay_symbols + 2 * margin_symbols;
    const std::int64_t total = first + period + margin_symbols;
    const NoiselessPrePass record =
        noiseless_pre_pass(chain, r, config, lane, pattern, source_level_v, total);
    if (record.signal.domain != Domain::electrical) {
      throw std::logic_error("ring lock: the drive reaching the ring is not electrical");
    }
    ring->lock_on_record(record.signal.electrical, record.levels, static_cast<std::size_t>(first),
                         static_cast<std::size_t>(period));
    ++locked;
  }
  return locked;
}

}  // namespace optilane
