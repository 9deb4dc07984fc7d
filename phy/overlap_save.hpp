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
/// DAC driving a modulator), applied at the value rate as a sum of step responses. With r the
/// hold's rectangle, g = h ∗ r (the response to one value held for `hold` samples) and a the held
/// values,
///   y[j·hold + p] = Σ_k a[j − k] · g[k·hold + p],   p = 0 … hold − 1,
/// so output phase p is the value-rate convolution of a with g's p-th polyphase component
/// g_p[k] = g[k·hold + p] (⌈len g / hold⌉ taps). Overlap-save at the value rate: one M-point
/// forward transform of the values per segment, then per phase a product with G_p = DFT_M(g_p)
/// and an M-point inverse (M = N/hold of a plain FIR's transform; in-cache sizes), the phases
/// interleaved into the output. An input that is not such a staircase, aligned on `hold` from
/// the stream's first sample, is filtered by the plain FIR from then on (its history rebuilt from
/// the held values, so nothing is lost). Both give y to round-off (~1e-15 of the signal; a test
/// holds it to the plain FIR).
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

  /// The polyphase spectra, shared by copies and kept per (taps, hold) for the process.
  struct PhaseKernel {
    std::vector<double> taps;  ///< h (the key; the kernel is a function of h and the hold)
    int hold = 1;
    std::size_t fft_size = 0;        ///< M, the value-rate transform
    std::size_t history_values = 0;  ///< ⌈(len g − 1)/hold⌉: the values g reaches back over
    /// G_p/M for p = 0 … hold − 1, M/2 + 1 bins each, phase after phase.
    std::vector<std::complex<double>> response;
  };

 private:
  void leave_held_mode();
  RealFirFilter plain_;  ///< h: the definition, and the path for any other input
  std::shared_ptr<const PhaseKernel> phases_;
  int hold_ = 1;
  std::vector<double> history_;  ///< the last history_values held values, oldest first
  std::vector<double> values_;   ///< scratch: this call's held values
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
