// A chain built in code from the models' parameter structs: a PRBS13Q PAM4 source, additive
// white Gaussian noise of a set density, and a 4th-order Bessel-Thomson receive filter, streamed
// chunk by chunk with a noiseless twin. It checks the noise the chain leaves at its output
// against the closed form for white noise through an FIR:
//   σ² = (N0·fs/2)·Σ h[n]²        (one-sided density N0, per-sample variance N0·fs/2)
// and prints the SNR of the filtered signal.
//
//   blocks_in_code            exit status 0 when the measured σ is within 2 % of the closed form
#include <cmath>
#include <cstdio>
#include <memory>
#include <numeric>
#include <vector>

#include "phy/blocks/awgn_block.hpp"
#include "phy/blocks/filter_block.hpp"
#include "phy/pam.hpp"
#include "phy/prbs.hpp"

using namespace optilane;

int main() {
  // The lane: 53.125 GBd PAM4 (100G per lane), 16 samples per symbol.
  LaneContext lane;
  lane.symbol_rate_bd = 53.125e9;
  lane.samples_per_symbol = 16;
  lane.bits_per_symbol = 2;
  lane.seed = 7;
  constexpr std::size_t chunk_symbols = 2048;
  lane.chunk_samples = chunk_symbols * lane.samples_per_symbol;

  // The chain, in signal order.
  constexpr double density_v_per_rthz = 2e-7;  // one-sided, V/√Hz
  auto noise = std::make_unique<AwgnBlock>(AwgnParams{.density_per_rthz = density_v_per_rthz});
  auto receiver = std::make_unique<FilterBlock>(
      FilterParams{.shape = FilterShape::bessel, .bandwidth_hz = 0.75 * lane.symbol_rate_bd});
  std::vector<std::unique_ptr<Block>> chain;
  chain.push_back(std::move(noise));
  chain.push_back(std::move(receiver));
  // Its noiseless twin: deep copies with every noise source off.
  std::vector<std::unique_ptr<Block>> twin;
  for (auto& block : chain) {
    block->prepare(lane);
    twin.push_back(block->clone());
    twin.back()->set_noise_enabled(false);
  }

  PatternGenerator pattern(PatternKind::prbs13q, Modulation::pam4, lane.seed);
  std::vector<int> symbols(chunk_symbols);
  double noise_power = 0.0, signal_sum = 0.0, signal_power = 0.0;
  std::size_t samples = 0;
  Signal noisy, clean;
  noisy.sample_rate_hz = clean.sample_rate_hz = lane.sample_rate_hz();
  for (std::int64_t chunk = 0; chunk < 16; ++chunk) {
    pattern.next(symbols);
    noisy.domain = Domain::electrical;
    noisy.electrical.assign(lane.chunk_samples, 0.0);
    for (std::size_t k = 0; k < chunk_symbols; ++k) {
      const double level = 0.5 * symbol_level(symbols[k], 4);  // ±0.5 V, ±0.167 V
      std::fill_n(noisy.electrical.begin() + static_cast<std::ptrdiff_t>(k * 16), 16, level);
    }
    noisy.chunk_index = chunk;
    noisy.first_sample = chunk * static_cast<std::int64_t>(lane.chunk_samples);
    clean = noisy;
    for (std::size_t i = 0; i < chain.size(); ++i) {
      chain[i]->process(noisy);
      twin[i]->process(clean);
    }
    if (chunk < 2) continue;  // let the filter's start-up transient pass
    for (std::size_t n = 0; n < noisy.electrical.size(); ++n) {
      const double e = noisy.electrical[n] - clean.electrical[n];
      noise_power += e * e;
      signal_sum += clean.electrical[n];
      signal_power += clean.electrical[n] * clean.electrical[n];
      ++samples;
    }
  }
  const double mean = signal_sum / static_cast<double>(samples);
  const double signal_variance = signal_power / static_cast<double>(samples) - mean * mean;
  const double measured = std::sqrt(noise_power / static_cast<double>(samples));

  const auto& taps = dynamic_cast<const FilterBlock&>(*chain[1]).taps();
  const double energy = std::inner_product(taps.begin(), taps.end(), taps.begin(), 0.0);
  const double expected =
      std::sqrt(density_v_per_rthz * density_v_per_rthz * lane.sample_rate_hz() / 2.0 * energy);
  const double snr_db = 10.0 * std::log10(signal_variance / (measured * measured));
  std::printf("chain: %s -> %s\n", chain[0]->describe().c_str(), chain[1]->describe().c_str());
  std::printf("noise at the output: %.4f mV RMS measured, %.4f mV closed form; SNR %.2f dB\n",
              measured * 1e3, expected * 1e3, snr_db);
  return std::abs(measured / expected - 1.0) < 0.02 ? 0 : 1;
}
