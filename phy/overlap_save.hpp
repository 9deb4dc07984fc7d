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

 private:
  struct Kernel {
    std::vector<double> taps;
    std::size_t fft_size = 0;
    std::vector<std::complex<double>> response;  ///< FFT of the zero-padded taps / N, N/2+1 bins
  };
  std::shared_ptr<const Kernel> kernel_;  ///< shared by copies
  std::vector<double> history_;           ///< last L-1 inputs
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
