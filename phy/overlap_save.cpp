#include "phy/overlap_save.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>

#include "phy/simd.hpp"

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
/// the compiler vectorises it (operator* guards every product against NaN with a library call), to
/// AVX2 where the CPU has it (phy/simd.hpp).
OPTILANE_SIMD_CLONES void multiply(std::span<const std::complex<double>> a,
                                   std::span<const std::complex<double>> b,
                                   std::span<std::complex<double>> out) {
  for (std::size_t k = 0; k < a.size(); ++k) {
    const double ar = a[k].real(), ai = a[k].imag(), br = b[k].real(), bi = b[k].imag();
    out[k] = {ar * br - ai * bi, ar * bi + ai * br};
  }
}

/// Overlap-save's FFT buffers: scratch (every segment rewrites them whole), so one forward and one
/// inverse plan per (kind, size) and thread serve every filter, and a filter or its copy owns none.
/// One overlap-save input block: `time` = history ++ fresh ++ zeros, and `history` becomes the
/// last history.size() values of (history ++ fresh).
template <typename T>
void load_block(std::vector<T>& history, std::span<const T> fresh, std::span<T> time) {
  const std::size_t h = history.size();
  std::copy(history.begin(), history.end(), time.begin());
  std::copy(fresh.begin(), fresh.end(), time.begin() + static_cast<std::ptrdiff_t>(h));
  std::fill(time.begin() + static_cast<std::ptrdiff_t>(h + fresh.size()), time.end(), T{});
  std::copy(time.begin() + static_cast<std::ptrdiff_t>(fresh.size()),
            time.begin() + static_cast<std::ptrdiff_t>(fresh.size() + h), history.begin());
}

FftPlan& scratch(FftPlan::Kind kind, std::size_t size) {
  thread_local std::map<std::pair<FftPlan::Kind, std::size_t>, FftPlan> plans;
  auto found = plans.find({kind, size});
  if (found == plans.end()) found = plans.emplace(std::pair{kind, size}, FftPlan(kind, size)).first;
  return found->second;
}

/// FNV-1a over the bytes of the taps: the key of a kept kernel (the taps themselves confirm it).
template <typename T>
std::uint64_t taps_hash(const std::vector<T>& taps) {
  std::uint64_t h = 1469598103934665603ULL;
  const auto* bytes = reinterpret_cast<const unsigned char*>(taps.data());
  for (std::size_t i = 0; i < taps.size() * sizeof(T); ++i) {
    h = (h ^ bytes[i]) * 1099511628211ULL;
  }
  return h;
}

/// Kernels (taps and H) kept per (taps, FFT size) for the process: every chain built — each sweep
/// point, each noise-budget and sensitivity re-run — designs the same filters, and H costs an FFT
/// of the FFT size (65,536 points for the MZM electrode). A kept kernel holds bit for bit the
/// values a fresh one would. At most 64 kernels; the memo empties when full.
template <typename Kernel, typename Make>
std::shared_ptr<const Kernel> kept_kernel(const decltype(Kernel::taps)& taps, std::size_t fft_size,
                                          Make make) {
  static std::mutex mutex;
  static std::multimap<std::uint64_t, std::shared_ptr<const Kernel>> kept;
  const std::uint64_t key = taps_hash(taps) ^ (fft_size * 0x9E3779B97F4A7C15ULL);
  auto same = [&](const Kernel& k) {
    return k.fft_size == fft_size && k.taps.size() == taps.size() &&
           std::memcmp(k.taps.data(), taps.data(), taps.size() * sizeof(taps[0])) == 0;
  };
  {
    const std::lock_guard lock(mutex);
    for (auto [it, end] = kept.equal_range(key); it != end; ++it) {
      if (same(*it->second)) return it->second;
    }
  }
  std::shared_ptr<const Kernel> kernel = make();
  const std::lock_guard lock(mutex);
  if (kept.size() >= 64) kept.clear();
  kept.emplace(key, kernel);
  return kernel;
}

}  // namespace

RealFirFilter::RealFirFilter(std::vector<double> taps, std::size_t fft_size) {
  if (taps.empty()) throw std::invalid_argument("FIR filter needs at least one tap");
  fft_size = choose_fft_size(taps.size(), fft_size);
  kernel_ = kept_kernel<Kernel>(taps, fft_size, [&] {
    auto kernel = std::make_shared<Kernel>();
    kernel->fft_size = fft_size;
    kernel->taps = taps;
    FftPlan& forward = scratch(FftPlan::Kind::real_forward, fft_size);
    auto time = forward.real();
    std::fill(time.begin(), time.end(), 0.0);
    std::copy(taps.begin(), taps.end(), time.begin());
    forward.execute();
    kernel->response.assign(forward.spectrum().begin(), forward.spectrum().end());
    // Fold the 1/N of the inverse transform into the response once.
    const double scale = 1.0 / static_cast<double>(fft_size);
    for (auto& bin : kernel->response) bin *= scale;
    return std::shared_ptr<const Kernel>(std::move(kernel));
  });
  history_.assign(kernel_->taps.size() - 1, 0.0);
}

const std::vector<double>& RealFirFilter::taps() const {
  static const std::vector<double> none;
  return kernel_ ? kernel_->taps : none;
}

void RealFirFilter::reset() {
  std::fill(history_.begin(), history_.end(), 0.0);
}

bool RealFirFilter::same_state(const RealFirFilter& other) const {
  if (kernel_ == nullptr || other.kernel_ == nullptr) return kernel_ == other.kernel_;
  const auto& a = kernel_->taps;
  const auto& b = other.kernel_->taps;
  return (kernel_ == other.kernel_ ||
          (a.size() == b.size() && kernel_->fft_size == other.kernel_->fft_size &&
           std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0)) &&
         history_.size() == other.history_.size() &&
         std::memcmp(history_.data(), other.history_.data(), history_.size() * sizeof(double)) == 0;
}

void RealFirFilter::copy_state_from(const RealFirFilter& other) {
  std::copy(other.history_.begin(), other.history_.end(), history_.begin());
}

void RealFirFilter::set_history(std::span<const double> last) {
  const std::size_t n = std::min(last.size(), history_.size());
  std::fill(history_.begin(), history_.end() - static_cast<std::ptrdiff_t>(n), 0.0);
  std::copy(last.end() - static_cast<std::ptrdiff_t>(n), last.end(),
            history_.end() - static_cast<std::ptrdiff_t>(n));
}

std::span<const std::complex<double>> RealFirFilter::scaled_response() const {
  if (!kernel_) return {};
  return kernel_->response;
}

namespace {

/// The polyphase spectra of g = h ∗ rect_hold at the value rate (HeldFirFilter), kept per (taps,
/// hold) like the plain kernels: a chain built again (sweep points, re-runs) reuses them.
std::shared_ptr<const HeldFirFilter::PhaseKernel> phase_kernel(const std::vector<double>& taps,
                                                               int hold) {
  static std::mutex mutex;
  static std::multimap<std::uint64_t, std::shared_ptr<const HeldFirFilter::PhaseKernel>> kept;
  const std::uint64_t key =
      taps_hash(taps) ^ (static_cast<std::uint64_t>(hold) * 0x9E3779B97F4A7C15ULL);
  {
    const std::lock_guard lock(mutex);
    for (auto [it, end] = kept.equal_range(key); it != end; ++it) {
      const auto& k = *it->second;
      if (k.hold == hold && k.taps.size() == taps.size() &&
          std::memcmp(k.taps.data(), taps.data(), taps.size() * sizeof(double)) == 0) {
        return it->second;
      }
    }
  }
  auto kernel = std::make_shared<HeldFirFilter::PhaseKernel>();
  kernel->taps = taps;
  kernel->hold = hold;
  const auto s = static_cast<std::size_t>(hold);
  // g = h ∗ r: g[m] = Σ_{i<hold} h[m − i], by a running sum.
  const std::size_t len_g = taps.size() + s - 1;
  std::vector<double> g(len_g, 0.0);
  for (std::size_t m = 0; m < len_g; ++m) {
    double sum = 0.0;
    for (std::size_t i = 0; i < s; ++i) {
      if (m >= i && m - i < taps.size()) sum += taps[m - i];
    }
    g[m] = sum;
  }
  kernel->history_values = (len_g - 1 + s - 1) / s;
  // M: a power of two at least twice the phase length (g_p has at most history_values + 1 taps).
  kernel->fft_size =
      std::max<std::size_t>(256, next_power_of_two(2 * (kernel->history_values + 1)));
  const std::size_t m = kernel->fft_size;
  const std::size_t bins = m / 2 + 1;
  kernel->response.resize(s * bins);
  FftPlan& forward = scratch(FftPlan::Kind::real_forward, m);
  const double scale = 1.0 / static_cast<double>(m);
  for (std::size_t p = 0; p < s; ++p) {
    auto time = forward.real();
    std::fill(time.begin(), time.end(), 0.0);
    for (std::size_t k = 0; k * s + p < len_g; ++k) time[k] = g[k * s + p];
    forward.execute();
    for (std::size_t f = 0; f < bins; ++f)
      kernel->response[p * bins + f] = forward.spectrum()[f] * scale;
  }
  std::shared_ptr<const HeldFirFilter::PhaseKernel> made = std::move(kernel);
  const std::lock_guard lock(mutex);
  if (kept.size() >= 16) kept.clear();
  kept.emplace(key, made);
  return made;
}

}  // namespace

HeldFirFilter::HeldFirFilter(std::vector<double> taps, int hold)
    : plain_(taps), hold_(std::max(1, hold)) {
  if (hold_ > 1) {
    phases_ = phase_kernel(plain_.taps(), hold_);
    history_.assign(phases_->history_values, 0.0);
    held_mode_ = true;
  }
}

void HeldFirFilter::reset() {
  plain_.reset();
  std::fill(history_.begin(), history_.end(), 0.0);
  held_mode_ = phases_ != nullptr;
}

bool HeldFirFilter::same_state(const HeldFirFilter& other) const {
  return held_mode_ == other.held_mode_ && hold_ == other.hold_ &&
         (held_mode_ ? history_.size() == other.history_.size() &&
                           std::memcmp(history_.data(), other.history_.data(),
                                       history_.size() * sizeof(double)) == 0 &&
                           plain_.same_state(other.plain_) == true
                     : plain_.same_state(other.plain_));
}

void HeldFirFilter::copy_state_from(const HeldFirFilter& other) {
  held_mode_ = other.held_mode_;
  history_ = other.history_;
  plain_.copy_state_from(other.plain_);
}

void HeldFirFilter::leave_held_mode() {
  // The plain FIR's history: the last L − 1 input samples, the held values' staircase.
  const auto hold = static_cast<std::size_t>(hold_);
  std::vector<double> samples(history_.size() * hold);
  for (std::size_t j = 0; j < history_.size(); ++j) {
    std::fill_n(samples.begin() + static_cast<std::ptrdiff_t>(j * hold), hold, history_[j]);
  }
  plain_.set_history(samples);
  held_mode_ = false;
}

namespace {

/// True when `in` holds each value for `hold` samples, aligned on `hold` from the stream's first
/// sample. Every sample is compared (no early exit) so the loop is one vectorised pass; a NaN
/// compares unequal, so an input holding one is not a staircase (the plain FIR takes it).
bool is_staircase(std::span<const double> in, std::size_t hold, std::int64_t first_sample) {
  if (first_sample % static_cast<std::int64_t>(hold) != 0 || in.size() % hold != 0) return false;
  bool differs = false;
  for (std::size_t j = 0; j < in.size(); j += hold) {
    const double value = in[j];
    for (std::size_t i = 1; i < hold; ++i) differs |= in[j + i] != value;
  }
  return !differs;
}

}  // namespace

void HeldFirFilter::process(std::span<const double> in, std::span<double> out,
                            std::int64_t first_sample) {
  const auto hold = static_cast<std::size_t>(hold_);
  if (held_mode_ && !is_staircase(in, hold, first_sample)) leave_held_mode();
  if (!held_mode_) {
    plain_.process(in, out);
    return;
  }
  const std::size_t count = in.size() / hold;
  values_.resize(count);
  for (std::size_t j = 0; j < count; ++j) values_[j] = in[j * hold];
  const PhaseKernel& kernel = *phases_;
  const std::size_t m = kernel.fft_size;
  const std::size_t h = kernel.history_values;
  const std::size_t bins = m / 2 + 1;
  FftPlan& forward = scratch(FftPlan::Kind::real_forward, m);
  FftPlan& inverse = scratch(FftPlan::Kind::real_inverse, m);
  const std::size_t step = m - h;
  for (std::size_t start = 0; start < count; start += step) {
    const std::size_t fresh = std::min(step, count - start);
    load_block<double>(history_, std::span<const double>(values_).subspan(start, fresh),
                       forward.real());
    forward.execute();
    const std::span<const std::complex<double>> a = forward.spectrum();
    for (std::size_t p = 0; p < hold; ++p) {
      multiply(a, std::span<const std::complex<double>>(kernel.response).subspan(p * bins, bins),
               inverse.spectrum());
      inverse.execute();
      // Phase p's outputs straight into their places (stride `hold`), with no staging copy.
      const double* result = inverse.real().data() + h;
      double* y = out.data() + start * hold + p;
      for (std::size_t j = 0; j < fresh; ++j) y[j * hold] = result[j];
    }
  }
}

void RealFirFilter::process(std::span<const double> in, std::span<double> out) {
  const Kernel& kernel = *kernel_;
  const std::size_t overlap = kernel.taps.size() - 1;
  const std::size_t step = kernel.fft_size - overlap;
  FftPlan& forward = scratch(FftPlan::Kind::real_forward, kernel.fft_size);
  FftPlan& inverse = scratch(FftPlan::Kind::real_inverse, kernel.fft_size);
  auto time = forward.real();
  for (std::size_t start = 0; start < in.size(); start += step) {
    const std::size_t n = std::min(step, in.size() - start);
    load_block(history_, in.subspan(start, n), time);
    forward.execute();
    multiply(forward.spectrum(), kernel.response, inverse.spectrum());
    inverse.execute();
    auto result = inverse.real();
    std::copy(result.begin() + static_cast<std::ptrdiff_t>(overlap),
              result.begin() + static_cast<std::ptrdiff_t>(overlap + n),
              out.begin() + static_cast<std::ptrdiff_t>(start));
  }
}

ComplexFirFilter::ComplexFirFilter(std::vector<std::complex<double>> taps, std::size_t fft_size) {
  if (taps.empty()) throw std::invalid_argument("FIR filter needs at least one tap");
  fft_size = choose_fft_size(taps.size(), fft_size);
  kernel_ = kept_kernel<Kernel>(taps, fft_size, [&] {
    auto kernel = std::make_shared<Kernel>();
    kernel->fft_size = fft_size;
    kernel->taps = taps;
    FftPlan& forward = scratch(FftPlan::Kind::complex_forward, fft_size);
    auto time = forward.time();
    std::fill(time.begin(), time.end(), std::complex<double>{});
    std::copy(taps.begin(), taps.end(), time.begin());
    forward.execute();
    kernel->response.assign(forward.spectrum().begin(), forward.spectrum().end());
    const double scale = 1.0 / static_cast<double>(fft_size);
    for (auto& bin : kernel->response) bin *= scale;
    return std::shared_ptr<const Kernel>(std::move(kernel));
  });
  history_.assign(kernel_->taps.size() - 1, std::complex<double>{});
}

const std::vector<std::complex<double>>& ComplexFirFilter::taps() const {
  static const std::vector<std::complex<double>> none;
  return kernel_ ? kernel_->taps : none;
}

void ComplexFirFilter::reset() {
  std::fill(history_.begin(), history_.end(), std::complex<double>{});
}

void ComplexFirFilter::process(std::span<const std::complex<double>> in,
                               std::span<std::complex<double>> out) {
  const Kernel& kernel = *kernel_;
  const std::size_t overlap = kernel.taps.size() - 1;
  const std::size_t step = kernel.fft_size - overlap;
  FftPlan& forward = scratch(FftPlan::Kind::complex_forward, kernel.fft_size);
  FftPlan& inverse = scratch(FftPlan::Kind::complex_inverse, kernel.fft_size);
  auto time = forward.time();
  for (std::size_t start = 0; start < in.size(); start += step) {
    const std::size_t n = std::min(step, in.size() - start);
    load_block(history_, in.subspan(start, n), time);
    forward.execute();
    multiply(forward.spectrum(), kernel.response, inverse.spectrum());
    inverse.execute();
    auto result = inverse.time();
    std::copy(result.begin() + static_cast<std::ptrdiff_t>(overlap),
              result.begin() + static_cast<std::ptrdiff_t>(overlap + n),
              out.begin() + static_cast<std::ptrdiff_t>(start));
  }
}

}  // namespace optilane
