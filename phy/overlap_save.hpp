// Streaming FIR filtering by overlap-save on FFTW (the kernel behind every linear block).
//
// y[n] = sum_{k=0}^{L-1} h[k] x[n-k], computed in segments: each FFT of size N holds the last L-1
// input samples of history followed by up to N-L+1 new ones; after multiplying by H = FFT(h) and
// transforming back, the last outputs are exact linear convolution (Oppenheim & Schafer,
// Discrete-Time Signal Processing, 3rd ed., §8.7.3). Output length equals input length and the
// history carries across calls, so chunk boundaries are invisible. A filter's taps and H are
// computed once and shared by its copies (cloning a chain copies only the input history); the FFT
// buffers are scratch, one pair per (size, thread), so process() does not allocate and a copy of a
// filter allocates no FFT buffers.
#pragma once

#include <complex>
#include <cstdint>
#include <memory>
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
  [[nodiscard]] const std::vector<double>& taps() const;
  [[nodiscard]] bool empty() const { return kernel_ == nullptr; }
  /// True when `other` (a copy of this filter) holds bit for bit the same input history, so the
  /// same input gives it bit for bit the same output.
  [[nodiscard]] bool same_state(const RealFirFilter& other) const;
  /// Takes `other`'s input history (a copy of this filter that has filtered what this one
  /// should have).
  void copy_state_from(const RealFirFilter& other);
  /// Sets the input history to `last` (the most recent inputs, oldest first; zeros before).
  void set_history(std::span<const double> last);
  [[nodiscard]] std::size_t fft_size() const { return kernel_ ? kernel_->fft_size : 0; }
  /// H/N, the N/2 + 1 bins the filter multiplies by (N the FFT size).
  [[nodiscard]] std::span<const std::complex<double>> scaled_response() const;

 private:
  struct Kernel {
    std::vector<double> taps;
    std::size_t fft_size = 0;
    std::vector<std::complex<double>> response;  ///< FFT of the zero-padded taps / N, N/2+1 bins
  };
  std::shared_ptr<const Kernel> kernel_;  ///< shared by copies
  std::vector<double> history_;           ///< last L-1 inputs
};

/// A real FIR whose input holds each value for `hold` samples (a staircase: the pattern source or a
/// DAC driving a modulator). With r the hold's rectangle and a↑hold the values zero-stuffed,
/// y = h ∗ x = (h ∗ r) ∗ (a↑hold), and the N-point DFT of a↑hold is the (N/hold)-point DFT of a,
/// repeated: overlap-save's forward transform shrinks by `hold` (the product with
/// G = DFT(h ∗ r) and the inverse transform stay). An input that is not such a staircase, aligned
/// on `hold` from the stream's first sample, is filtered by the plain FIR from then on (its history
/// rebuilt from the held values, so nothing is lost). Both give y to round-off (~1e-15 of the
/// signal; a test holds it to the plain FIR).
class HeldFirFilter {
 public:
  HeldFirFilter() = default;
  HeldFirFilter(std::vector<double> taps, int hold);

  /// Filters `in` (whose first sample is the stream's `first_sample`) into `out` (same length;
  /// may be the same buffer).
  void process(std::span<const double> in, std::span<double> out, std::int64_t first_sample);
  void reset();
  [[nodiscard]] bool empty() const { return plain_.empty(); }
  [[nodiscard]] const std::vector<double>& taps() const { return plain_.taps(); }
  /// False once an input was not a staircase (the plain FIR filters from then on).
  [[nodiscard]] bool held() const { return held_mode_; }
  [[nodiscard]] bool same_state(const HeldFirFilter& other) const;
  void copy_state_from(const HeldFirFilter& other);

 private:
  void leave_held_mode();
  RealFirFilter plain_;      ///< h: the definition, and the path for any other input
  RealFirFilter stretched_;  ///< g = h ∗ r at an FFT size divisible by `hold` (kernel only)
  int hold_ = 1;
  std::size_t history_values_ = 0;  ///< held values g reaches back over: ⌈(len g − 1)/hold⌉
  std::size_t fft_values_ = 0;      ///< N / hold
  std::vector<double> history_;     ///< the last history_values_ held values, oldest first
  std::vector<double> values_;      ///< scratch: this call's held values
  bool held_mode_ = false;
};

/// Complex input (optical field), complex taps.
class ComplexFirFilter {
 public:
  ComplexFirFilter() = default;
  explicit ComplexFirFilter(std::vector<std::complex<double>> taps, std::size_t fft_size = 0);

  void process(std::span<const std::complex<double>> in, std::span<std::complex<double>> out);
  void reset();
  [[nodiscard]] const std::vector<std::complex<double>>& taps() const;
  [[nodiscard]] bool empty() const { return kernel_ == nullptr; }

 private:
  struct Kernel {
    std::vector<std::complex<double>> taps;
    std::size_t fft_size = 0;
    std::vector<std::complex<double>> response;  ///< FFT of the zero-padded taps / N, N bins
  };
  std::shared_ptr<const Kernel> kernel_;  ///< shared by copies
  std::vector<std::complex<double>> history_;
};

}  // namespace optilane
