// Signals: electrical waveforms (volts or amperes, real) and optical fields (complex envelope in
// sqrt(W) about the carrier at `wavelength_m`, so |E|^2 is the instantaneous power in watts).
//
// A lane streams through its chain as `Signal` chunks. One chunk may carry both an electrical
// drive and an optical carrier: a laser placed before a modulator fills `optical` with its carrier
// and leaves the electrical drive in place; the modulator consumes both and emits an optical
// chunk. After a photodetector the chunk is electrical again.
#pragma once

#include <complex>
#include <cstdint>
#include <span>
#include <vector>

namespace optilane {

using Complex = std::complex<double>;

/// A whole real waveform (for convenience calls, probes and tests).
struct Waveform {
  std::vector<double> samples;  ///< V or A
  double sample_rate_hz = 0.0;
};

/// A whole optical field (for convenience calls, probes and tests).
struct OpticalField {
  std::vector<Complex> samples;  ///< sqrt(W), complex envelope
  double sample_rate_hz = 0.0;
  double wavelength_m = 0.0;
};

enum class Domain { electrical, optical };

/// One chunk of a lane's signal as it streams through the chain.
struct Signal {
  Domain domain = Domain::electrical;  ///< which buffer is "the signal" now
  std::vector<double> electrical;      ///< V or A (also the drive of a modulator)
  std::vector<Complex> optical;        ///< sqrt(W)
  bool has_carrier = false;  ///< `optical` holds an unmodulated carrier waiting for a modulator
  double sample_rate_hz = 0.0;
  double wavelength_m = 0.0;
  std::int64_t first_sample = 0;  ///< index of the first sample of this chunk in the lane
  std::int64_t chunk_index = 0;   ///< counts chunks from 0; seeds noise streams

  [[nodiscard]] std::size_t size() const {
    return domain == Domain::optical ? optical.size() : electrical.size();
  }
};

/// Instantaneous optical power |E|^2 in watts.
inline void optical_power_w(std::span<const Complex> field, std::span<double> power_w) {
  for (std::size_t i = 0; i < field.size(); ++i) power_w[i] = std::norm(field[i]);
}

}  // namespace optilane
