// Streaming FIR filtering by overlap-save on FFTW (the kernel behind every linear block).
//
// y[n] = sum_{k=0}^{L-1} h[k] x[n-k], computed in segments: each FFT of size N holds the last L-1
// input samples of history followed by up to N-L+1 new ones; after multiplying by H = FFT(h) and
// transforming back, the last outputs are exact linear convolution (Oppenheim & Schafer,
// Discrete-Time Signal Processing, 3rd ed., §8.7.3). Output length equals input length and the
// history carries across calls, so chunk boundaries are invisible. Plans are made once, in the
// constructor; process() does not allocate.
#pragma once

#include <complex>
#include <span>
#include <vector>

#include "phy/fft.hpp"

namespace optilane {

/// Real input, real taps.
class RealFirFilter {
 public:
  RealFirFilter() = default;
  /// `taps` in time order; `fft_size` 0 picks a power of two about 4x the tap count (>= 256).
  explicit RealFirFilter(std::vector<double> taps, std::size_t fft_size = 0);

  /// Filters `in` into `out` (same length; may be the same buffer).
  void process(std::span<const double> in, std::span<double> out);
  void reset();
  [[nodiscard]] const std::vector<double>& taps() const { return taps_; }
  [[nodiscard]] bool empty() const { return taps_.empty(); }
  /// True when `other` (a copy of this filter) holds bit for bit the same input history, so the
  /// same input gives it bit for bit the same output.
  [[nodiscard]] bool same_state(const RealFirFilter& other) const;
  /// Takes `other`'s input history (a copy of this filter that has filtered what this one
  /// should have).
  void copy_state_from(const RealFirFilter& other);

 private:
  std::vector<double> taps_;
  std::size_t fft_size_ = 0;
  std::vector<std::complex<double>> response_;  ///< FFT of the zero-padded taps, N/2+1 bins
  std::vector<double> history_;                 ///< last L-1 inputs
  FftPlan forward_;
  FftPlan inverse_;
};

/// Complex input (optical field), complex taps.
class ComplexFirFilter {
 public:
  ComplexFirFilter() = default;
  explicit ComplexFirFilter(std::vector<std::complex<double>> taps, std::size_t fft_size = 0);

  void process(std::span<const std::complex<double>> in, std::span<std::complex<double>> out);
  void reset();
  [[nodiscard]] const std::vector<std::complex<double>>& taps() const { return taps_; }
  [[nodiscard]] bool empty() const { return taps_.empty(); }

 private:
  std::vector<std::complex<double>> taps_;
  std::size_t fft_size_ = 0;
  std::vector<std::complex<double>> response_;  ///< FFT of the zero-padded taps, N bins
  std::vector<std::complex<double>> history_;
  FftPlan forward_;
  FftPlan inverse_;
};

}  // namespace optilane
