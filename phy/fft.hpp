// FFTW3 plans and aligned buffers (STYLE.md habit 7).
//
// Plans are made with FFTW_ESTIMATE: FFTW_MEASURE picks an algorithm by timing, so two runs (or
// two threads) could pick different algorithms and round differently, which would break "same seed,
// same numbers whatever the thread count". One plan per (kind, size) is made for the whole process,
// under a mutex (FFTW's planner is not thread-safe), and each FftPlan executes it on its own
// fftw_malloc'd buffers with FFTW's new-array execute functions (thread-safe). Copying a plan, as
// cloning a chain does, therefore costs buffers only, never planning.
//
// Plans are made on fftw_malloc'd buffers like the ones they run on (the same alignment, so the
// new-array execute is valid and gets FFTW's SIMD codelets). Complex transforms were in place
// until issue 9; for most sizes FFTW's in-place plan runs the same codelets as its out-of-place
// plan through a bounce buffer (`dft-directbuf`, `dft-buffered`: `fftw_cpy2d_pair`), so out of
// place gives the same values bit for bit at ~0.7 of the time (2,048 points: 4.8 → 3.4 µs). For
// some sizes (128 and 65,536 points, the inverse at 64, …) FFTW_ESTIMATE picks another algorithm
// out of place, whose round-off differs; so each size is planned both ways once, both plans run
// on a fixed probe, and the out-of-place plan is kept only when it gives the in-place plan's
// values bit for bit (else the in-place plan runs, after a copy). Results never move.
#pragma once

#include <fftw3.h>

#include <complex>
#include <cstddef>
#include <memory>
#include <span>
#include <vector>

namespace optilane {

/// fftw_malloc'd buffer, aligned for SIMD.
template <typename T>
class FftBuffer {
 public:
  FftBuffer() = default;
  explicit FftBuffer(std::size_t n);
  FftBuffer(const FftBuffer& other);
  FftBuffer& operator=(const FftBuffer& other);
  FftBuffer(FftBuffer&& other) noexcept { swap(other); }
  FftBuffer& operator=(FftBuffer&& other) noexcept {
    swap(other);
    return *this;
  }
  ~FftBuffer();

  T* data() { return data_; }
  const T* data() const { return data_; }
  [[nodiscard]] std::size_t size() const { return size_; }
  T& operator[](std::size_t i) { return data_[i]; }
  const T& operator[](std::size_t i) const { return data_[i]; }
  std::span<T> span() { return {data_, size_}; }
  std::span<const T> span() const { return {data_, size_}; }
  void swap(FftBuffer& other) noexcept {
    std::swap(data_, other.data_);
    std::swap(size_, other.size_);
  }

 private:
  T* data_ = nullptr;
  std::size_t size_ = 0;
};

/// An out-of-place FFT plan bound to the two buffers it owns: forward transforms read the time
/// buffer and write spectrum(), inverse ones read spectrum() and write the time buffer. Kinds:
/// forward real-to-complex, inverse complex-to-real (which overwrites spectrum(), as FFTW's c2r
/// does), forward and inverse complex. Unnormalised, as FFTW.
class FftPlan {
 public:
  enum class Kind { real_forward, real_inverse, complex_forward, complex_inverse };

  FftPlan() = default;
  FftPlan(Kind kind, std::size_t n);
  /// Copies make their own plan; a copy of an empty (default) plan is empty.
  FftPlan(const FftPlan& other) : kind_(other.kind_) {
    if (other.n_ > 0) *this = FftPlan(other.kind_, other.n_);
  }
  FftPlan& operator=(const FftPlan& other);
  FftPlan(FftPlan&& other) noexcept;
  FftPlan& operator=(FftPlan&& other) noexcept;
  ~FftPlan();

  [[nodiscard]] std::size_t size() const { return n_; }
  /// Real time-domain buffer (real kinds): n values.
  std::span<double> real() { return real_.span(); }
  /// Complex buffer: n/2+1 bins for real kinds, n values for complex kinds.
  std::span<std::complex<double>> spectrum() { return spectrum_.span(); }
  /// Complex time-domain buffer (complex kinds): n values, apart from spectrum(); empty for the
  /// real kinds.
  std::span<std::complex<double>> time() { return time_.span(); }
  void execute();

 private:
  Kind kind_ = Kind::complex_forward;
  std::size_t n_ = 0;
  FftBuffer<double> real_;
  FftBuffer<std::complex<double>> time_;
  FftBuffer<std::complex<double>> spectrum_;
  fftw_plan plan_ = nullptr;
  bool in_place_ = false;  ///< complex kinds: the plan is FFTW's in-place one (see above)
};

/// Smallest power of two >= n.
[[nodiscard]] std::size_t next_power_of_two(std::size_t n);

/// Forward DFT of a complex sequence (convenience, allocates).
[[nodiscard]] std::vector<std::complex<double>> fft(std::span<const std::complex<double>> x);
/// Inverse DFT, normalised by 1/n (convenience, allocates).
[[nodiscard]] std::vector<std::complex<double>> ifft(std::span<const std::complex<double>> x);

}  // namespace optilane
