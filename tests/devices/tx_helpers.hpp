// Small helpers shared by the transmitter tests: a lane, a drive chunk, a CW carrier.
#pragma once

#include <complex>
#include <cstdint>
#include <vector>

#include "phy/block.hpp"
#include "phy/pam.hpp"
#include "phy/random.hpp"

namespace optilane::test {

inline LaneContext tx_lane(double symbol_rate_bd = 53.125e9, int sps = 16) {
  LaneContext lane;
  lane.symbol_rate_bd = symbol_rate_bd;
  lane.samples_per_symbol = sps;
  lane.bits_per_symbol = 2;
  lane.wavelength_m = 1311e-9;
  lane.seed = 7;
  lane.lane = 0;
  lane.chunk_samples = 2048 * static_cast<std::size_t>(sps);
  return lane;
}

/// An electrical chunk holding `drive` with a noiseless CW carrier of `power_w` (as a `laser`
/// before a modulator would leave it).
inline Signal carrier_chunk(const std::vector<double>& drive, double power_w,
                            std::int64_t chunk_index = 0) {
  Signal s;
  s.domain = Domain::electrical;
  s.electrical = drive;
  s.optical.assign(drive.size(), std::complex<double>(std::sqrt(power_w), 0.0));
  s.has_carrier = true;
  s.sample_rate_hz = 0.0;
  s.chunk_index = chunk_index;
  return s;
}

/// Random PAM4 symbols (0..3), held for sps samples at ±peak amplitude levels.
inline std::vector<double> pam4_drive(std::size_t symbols, int sps, double peak_v,
                                      std::vector<int>* levels = nullptr, std::uint64_t seed = 3) {
  RandomStream rng(seed);
  std::vector<double> v;
  v.reserve(symbols * static_cast<std::size_t>(sps));
  for (std::size_t k = 0; k < symbols; ++k) {
    const int level = static_cast<int>(rng.next_u64() % 4);
    if (levels) levels->push_back(level);
    for (int i = 0; i < sps; ++i) v.push_back(peak_v * symbol_level(level, 4));
  }
  return v;
}

/// RLM per IEEE 802.3 120D.3.1.2 from four level values P0 < P1 < P2 < P3.
inline double rlm_of_levels(double p0, double p1, double p2, double p3) {
  const double mid = 0.5 * (p0 + p3);
  const double es1 = (p1 - mid) / (p0 - mid);
  const double es2 = (p2 - mid) / (p3 - mid);
  return std::min({3.0 * es1, 3.0 * es2, 2.0 - 3.0 * es1, 2.0 - 3.0 * es2});
}

}  // namespace optilane::test
