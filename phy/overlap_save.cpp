#include "phy/overlap_save.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace optilane {
namespace {

std::size_t choose_fft_size(std::size_t taps, std::size_t requested) {
  if (requested != 0) {
    if (requested < 2 * taps) throw std::invalid_argument("FFT size must be >= 2x the tap count");
    return requested;
  }
  return std::max<std::size_t>(256, next_power_of_two(4 * taps));
}

/// out[k] = a[k]·b[k]. The product written out, as std::complex's own fast path computes it, so
/// the compiler vectorises it (operator* guards every product against NaN with a library call).
void multiply(std::span<const std::complex<double>> a, std::span<const std::complex<double>> b,
              std::span<std::complex<double>> out) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double ar = a[k].real(), ai = a[k].imag(), br = b[k].real(), bi = b[k].imag();
    out[k] = {ar * br - ai * bi, ar * bi + ai * br};
  }
}

}  // namespace

RealFirFilter::RealFirFilter(std::vector<double> taps, std::size_t fft_size)
    : taps_(std::move(taps)) {
  if (taps_.empty()) throw std::invalid_argument("FIR filter needs at least one tap");
  fft_size_ = choose_fft_size(taps_.size(), fft_size);
  forward_ = FftPlan(FftPlan::Kind::real_forward, fft_size_);
  inverse_ = FftPlan(FftPlan::Kind::real_inverse, fft_size_);
  auto time = forward_.real();
  std::fill(time.begin(), time.end(), 0.0);
  std::copy(taps_.begin(), taps_.end(), time.begin());
  forward_.execute();
  response_.assign(forward_.spectrum().begin(), forward_.spectrum().end());
  // Fold the 1/N of the inverse transform into the response once.
  const double scale = 1.0 / static_cast<double>(fft_size_);
  for (auto& bin : response_) bin *= scale;
  history_.assign(taps_.size() - 1, 0.0);
}

void RealFirFilter::reset() {
  std::fill(history_.begin(), history_.end(), 0.0);
}

bool RealFirFilter::same_state(const RealFirFilter& other) const {
  return taps_.size() == other.taps_.size() && fft_size_ == other.fft_size_ &&
         history_.size() == other.history_.size() &&
         std::memcmp(history_.data(), other.history_.data(), history_.size() * sizeof(double)) ==
             0 &&
         std::memcmp(taps_.data(), other.taps_.data(), taps_.size() * sizeof(double)) == 0;
}

void RealFirFilter::copy_state_from(const RealFirFilter& other) {
  std::copy(other.history_.begin(), other.history_.end(), history_.begin());
}

void RealFirFilter::process(std::span<const double> in, std::span<double> out) {
  const std::size_t overlap = taps_.size() - 1;
  const std::size_t step = fft_size_ - overlap;
  auto time = forward_.real();
  for (std::size_t start = 0; start < in.size(); start += step) {
    const std::size_t n = std::min(step, in.size() - start);
    std::copy(history_.begin(), history_.end(), time.begin());
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(start),
              in.begin() + static_cast<std::ptrdiff_t>(start + n),
              time.begin() + static_cast<std::ptrdiff_t>(overlap));
    std::fill(time.begin() + static_cast<std::ptrdiff_t>(overlap + n), time.end(), 0.0);
    // New history: the last L-1 samples of (history ++ segment).
    std::copy(time.begin() + static_cast<std::ptrdiff_t>(n),
              time.begin() + static_cast<std::ptrdiff_t>(n + overlap), history_.begin());
    forward_.execute();
    auto spectrum = forward_.spectrum();
    auto inverse_bins = inverse_.spectrum();
    multiply(spectrum, response_, inverse_bins);
    inverse_.execute();
    auto result = inverse_.real();
    std::copy(result.begin() + static_cast<std::ptrdiff_t>(overlap),
              result.begin() + static_cast<std::ptrdiff_t>(overlap + n),
              out.begin() + static_cast<std::ptrdiff_t>(start));
  }
}

ComplexFirFilter::ComplexFirFilter(std::vector<std::complex<double>> taps, std::size_t fft_size)
    : taps_(std::move(taps)) {
  if (taps_.empty()) throw std::invalid_argument("FIR filter needs at least one tap");
  fft_size_ = choose_fft_size(taps_.size(), fft_size);
  forward_ = FftPlan(FftPlan::Kind::complex_forward, fft_size_);
  inverse_ = FftPlan(FftPlan::Kind::complex_inverse, fft_size_);
  auto time = forward_.time();
  std::fill(time.begin(), time.end(), std::complex<double>{});
  std::copy(taps_.begin(), taps_.end(), time.begin());
  forward_.execute();
  response_.assign(forward_.spectrum().begin(), forward_.spectrum().end());
  const double scale = 1.0 / static_cast<double>(fft_size_);
  for (auto& bin : response_) bin *= scale;
  history_.assign(taps_.size() - 1, std::complex<double>{});
}

void ComplexFirFilter::reset() {
  std::fill(history_.begin(), history_.end(), std::complex<double>{});
}

void ComplexFirFilter::process(std::span<const std::complex<double>> in,
                               std::span<std::complex<double>> out) {
  const std::size_t overlap = taps_.size() - 1;
  const std::size_t step = fft_size_ - overlap;
  auto time = forward_.time();
  for (std::size_t start = 0; start < in.size(); start += step) {
    const std::size_t n = std::min(step, in.size() - start);
    std::copy(history_.begin(), history_.end(), time.begin());
    std::copy(in.begin() + static_cast<std::ptrdiff_t>(start),
              in.begin() + static_cast<std::ptrdiff_t>(start + n),
              time.begin() + static_cast<std::ptrdiff_t>(overlap));
    std::fill(time.begin() + static_cast<std::ptrdiff_t>(overlap + n), time.end(),
              std::complex<double>{});
    std::copy(time.begin() + static_cast<std::ptrdiff_t>(n),
              time.begin() + static_cast<std::ptrdiff_t>(n + overlap), history_.begin());
    forward_.execute();
    auto spectrum = forward_.spectrum();
    auto inverse_bins = inverse_.spectrum();
    multiply(spectrum, response_, inverse_bins);
    inverse_.execute();
    auto result = inverse_.time();
    std::copy(result.begin() + static_cast<std::ptrdiff_t>(overlap),
              result.begin() + static_cast<std::ptrdiff_t>(overlap + n),
              out.begin() + static_cast<std::ptrdiff_t>(start));
  }
}

}  // namespace optilane
