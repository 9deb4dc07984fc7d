#include "link/ring_lock.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "devices/modulators/mrm.hpp"
#include "phy/pam.hpp"

namespace optilane {

namespace {
/// As the transmitter analysis (lane_runner.cpp): the longest window, one SSPRQ period; a random
/// pattern's.
constexpr std::uint64_t max_period_symbols = 65535;
constexpr std::uint64_t random_period_symbols = 16384;
/// Symbols of start-up after the upstream bulk delay, before the decisions start (Mrm: 64 more
/// before the period), and after the period (the runs that start in it end in the record).
constexpr std::int64_t margin_symbols = 64;
}  // namespace

std::size_t lock_rings_on_pattern(const std::vector<std::unique_ptr<Block>>& chain,
                                  const LinkConfig& config, int lane, PatternGenerator pattern,
                                  std::span<const double> source_level_v, std::size_t first_block) {
  const SignalConfig& sig = config.signal;
  const int sps = sig.samples_per_symbol;
  std::size_t locked = 0;
  for (std::size_t r = first_block; r < chain.size(); ++r) {
    auto* ring = dynamic_cast<Mrm*>(chain[r].get());
    if (ring == nullptr || !ring->locks_on_modulation()) continue;
    const std::uint64_t pattern_period = pattern_period_symbols(sig.pattern, sig.modulation);
    const auto period = static_cast<std::int64_t>(
        pattern_period > 0 ? std::min(pattern_period, max_period_symbols) : random_period_symbols);
    double delay = 0.0;
    for (std::size_t i = 0; i < r; ++i) delay += chain[i]->latency_samples();
    const auto delay_symbols = static_cast<std::int64_t>(std::ceil(delay / sps));
    const std::int64_t first = delay_symbols + 2 * margin_symbols;
    const std::int64_t total = first + period + margin_symbols;
    // The run's symbols from their start, at the source.
    std::vector<int> symbols(static_cast<std::size_t>(total));
    PatternGenerator generator = pattern;
    generator.next(symbols);
    Precoder precoder(levels_of(sig.modulation));
    Signal signal;
    signal.domain = Domain::electrical;
    signal.has_carrier = false;
    signal.sample_rate_hz = lane_context(config, lane).sample_rate_hz();
    signal.wavelength_m = config.lanes.wavelengths_m.at(static_cast<std::size_t>(lane));
    signal.first_sample = 0;
    signal.chunk_index = 0;
    signal.electrical.resize(static_cast<std::size_t>(total * sps));
    for (std::int64_t k = 0; k < total; ++k) {
      const int data = symbols[static_cast<std::size_t>(k)];
      const int level = sig.precoding ? precoder.encode(data) : data;
      symbols[static_cast<std::size_t>(k)] = level;
      std::fill_n(signal.electrical.begin() + k * sps, sps,
                  source_level_v[static_cast<std::size_t>(level)]);
    }
    // Through noiseless fresh copies of the blocks upstream (the chain as built).
    for (std::size_t i = 0; i < r; ++i) {
      std::unique_ptr<Block> block = chain[i]->clone();
      block->set_noise_enabled(false);
      block->process(signal);
    }
    if (signal.electrical.size() != static_cast<std::size_t>(total * sps)) {
      throw std::logic_error(
          "ring lock: the blocks upstream of the ring changed the record length");
    }
    ring->lock_on_record(signal.electrical, symbols, static_cast<std::size_t>(first),
                         static_cast<std::size_t>(period));
    ++locked;
  }
  return locked;
}

}  // namespace optilane
