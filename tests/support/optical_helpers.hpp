// Helpers shared by the optical and receiver tests: a lane context, running a block over a whole
// signal in chunks, and moments of a sequence.
#pragma once

#include <cmath>
#include <cstddef>
#include <numeric>
#include <span>
#include <vector>

#include "phy/block.hpp"

namespace optilane::test {

inline LaneContext test_lane(double symbol_rate_bd = 53.125e9, int sps = 16,
                             double wavelength_m = 1311e-9, std::uint64_t seed = 7) {
  LaneContext lane;
  lane.symbol_rate_bd = symbol_rate_bd;
  lane.samples_per_symbol = sps;
  lane.bits_per_symbol = 2;
  lane.wavelength_m = wavelength_m;
  lane.seed = seed;
  lane.chunk_samples = static_cast<std::size_t>(2048 * sps);
  return lane;
}

/// Runs an optical field through `block` in chunks; returns the output chunk by chunk joined.
inline Signal run_optical(Block& block, const std::vector<Complex>& field, double fs,
                          double wavelength_m, std::size_t chunk = 32768) {
  Signal out;
  out.sample_rate_hz = fs;
  out.wavelength_m = wavelength_m;
  std::int64_t index = 0;
  for (std::size_t start = 0; start < field.size(); start += chunk, ++index) {
    const std::size_t n = std::min(chunk, field.size() - start);
    Signal s;
    s.domain = Domain::optical;
    s.optical.assign(field.begin() + static_cast<std::ptrdiff_t>(start),
                     field.begin() + static_cast<std::ptrdiff_t>(start + n));
    s.sample_rate_hz = fs;
    s.wavelength_m = wavelength_m;
    s.first_sample = static_cast<std::int64_t>(start);
    s.chunk_index = index;
    block.process(s);
    out.domain = s.domain;
    out.optical.insert(out.optical.end(), s.optical.begin(), s.optical.end());
    out.electrical.insert(out.electrical.end(), s.electrical.begin(), s.electrical.end());
  }
  return out;
}

/// Runs an electrical waveform through `block` in chunks.
inline std::vector<double> run_electrical(Block& block, const std::vector<double>& x, double fs,
                                          std::size_t chunk = 32768) {
  std::vector<double> out;
  std::int64_t index = 0;
  for (std::size_t start = 0; start < x.size(); start += chunk, ++index) {
    const std::size_t n = std::min(chunk, x.size() - start);
    Signal s;
    s.domain = Domain::electrical;
    s.electrical.assign(x.begin() + static_cast<std::ptrdiff_t>(start),
                        x.begin() + static_cast<std::ptrdiff_t>(start + n));
    s.sample_rate_hz = fs;
    s.first_sample = static_cast<std::int64_t>(start);
    s.chunk_index = index;
    block.process(s);
    out.insert(out.end(), s.electrical.begin(), s.electrical.end());
  }
  return out;
}

inline double mean_of(std::span<const double> x) {
  return std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
}

inline double variance_of(std::span<const double> x) {
  const double m = mean_of(x);
  double s = 0.0;
  for (double v : x) s += (v - m) * (v - m);
  return s / static_cast<double>(x.size());
}

}  // namespace optilane::test
