#include "phy/fft.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace optilane {
namespace {
std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// A complex transform of size n, planned out of place and in place (FFTW_ESTIMATE), both run on
/// a fixed probe: the out-of-place plan is kept when its values equal the in-place plan's bit for
/// bit (the same codelets, the in-place plan only adding a bounce buffer; two different FFT
/// algorithms do not agree to the last bit on n pseudo-random values), else the in-place plan.
std::pair<fftw_plan, bool> complex_plan(std::size_t n, int sign) {
  const int size = static_cast<int>(n);
  FftBuffer<std::complex<double>> input(n), output(n), probe(n);
  auto* in = reinterpret_cast<fftw_complex*>(input.data());
  auto* out = reinterpret_cast<fftw_complex*>(output.data());
  auto* both = reinterpret_cast<fftw_complex*>(probe.data());
  fftw_plan out_of_place = fftw_plan_dft_1d(size, in, out, sign, FFTW_ESTIMATE);
  fftw_plan in_place = fftw_plan_dft_1d(size, both, both, sign, FFTW_ESTIMATE);
  if (out_of_place == nullptr || in_place == nullptr) {
    throw std::runtime_error("FFTW could not make a plan");
  }
  std::uint64_t state = 0x9E3779B97F4A7C15ULL;  // splitmix64: values in [-1, 1)
  auto next = [&state] {
    state += 0x9E3779B97F4A7C15ULL;
    std::uint64_t z = state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1p-52 - 1.0;
  };
  for (std::size_t i = 0; i < n; ++i) input[i] = probe[i] = {next(), next()};
  fftw_execute_dft(out_of_place, in, out);
  fftw_execute_dft(in_place, both, both);
  const bool same = std::memcmp(output.data(), probe.data(), n * sizeof(output[0])) == 0;
  fftw_destroy_plan(same ? in_place : out_of_place);
  return {same ? out_of_place : in_place, !same};
}

/// One FFTW plan per (kind, size) for the whole process, made on first use and executed on each
/// FftPlan's own buffers with FFTW's new-array functions (thread-safe; every buffer comes from
/// fftw_malloc, so it has the alignment the plan was made for). Cloning a chain or a filter then
/// costs no planning, and every thread runs the very same plan. The table lives until the process
/// ends and is never destroyed (no destruction-order hazard with other statics that filter at
/// exit); it stays reachable, so LeakSanitizer does not report the plans as leaks. The flag: the
/// plan is in place (complex kinds only, complex_plan).
std::pair<fftw_plan, bool> shared_plan(FftPlan::Kind kind, std::size_t n) {
  static auto& plans = *new std::map<std::pair<int, std::size_t>, std::pair<fftw_plan, bool>>;
  const std::lock_guard lock(planner_mutex());
  const auto key = std::make_pair(static_cast<int>(kind), n);
  if (const auto it = plans.find(key); it != plans.end()) return it->second;
  const int size = static_cast<int>(n);
  std::pair<fftw_plan, bool> plan{nullptr, false};
  switch (kind) {
    case FftPlan::Kind::real_forward:
    case FftPlan::Kind::real_inverse: {
      FftBuffer<double> real(n);
      FftBuffer<std::complex<double>> spectrum(n / 2 + 1);
      auto* bins = reinterpret_cast<fftw_complex*>(spectrum.data());
      plan.first = kind == FftPlan::Kind::real_forward
                       ? fftw_plan_dft_r2c_1d(size, real.data(), bins, FFTW_ESTIMATE)
                       : fftw_plan_dft_c2r_1d(size, bins, real.data(), FFTW_ESTIMATE);
      if (plan.first == nullptr) throw std::runtime_error("FFTW could not make a plan");
      break;
    }
    case FftPlan::Kind::complex_forward:
      plan = complex_plan(n, FFTW_FORWARD);
      break;
    case FftPlan::Kind::complex_inverse:
      plan = complex_plan(n, FFTW_BACKWARD);
      break;
  }
  plans.emplace(key, plan);
  return plan;
}
}  // namespace

template <typename T>
FftBuffer<T>::FftBuffer(std::size_t n) : size_(n) {
  if (n == 0) return;
  data_ = static_cast<T*>(fftw_malloc(sizeof(T) * n));
  if (data_ == nullptr) throw std::bad_alloc();
  std::fill(data_, data_ + n, T{});
}

template <typename T>
FftBuffer<T>::FftBuffer(const FftBuffer& other) : FftBuffer(other.size_) {
  if (size_ > 0) std::copy(other.data_, other.data_ + size_, data_);
}

template <typename T>
FftBuffer<T>& FftBuffer<T>::operator=(const FftBuffer& other) {
  if (this != &other) {
    FftBuffer copy(other);
    swap(copy);
  }
  return *this;
}

template <typename T>
FftBuffer<T>::~FftBuffer() {
  if (data_ != nullptr) fftw_free(data_);
}

template class FftBuffer<double>;
template class FftBuffer<std::complex<double>>;

FftPlan::FftPlan(Kind kind, std::size_t n) : kind_(kind), n_(n) {
  if (n == 0) throw std::invalid_argument("FFT size must be > 0");
  const bool real_kind = kind == Kind::real_forward || kind == Kind::real_inverse;
  if (real_kind) {
    real_ = FftBuffer<double>(n);
    spectrum_ = FftBuffer<std::complex<double>>(n / 2 + 1);
  } else {
    time_ = FftBuffer<std::complex<double>>(n);
    spectrum_ = FftBuffer<std::complex<double>>(n);
  }
  std::tie(plan_, in_place_) = shared_plan(kind, n);
}

FftPlan& FftPlan::operator=(const FftPlan& other) {
  if (this != &other) {
    FftPlan copy(other);
    *this = std::move(copy);
  }
  return *this;
}

FftPlan::FftPlan(FftPlan&& other) noexcept {
  *this = std::move(other);
}

FftPlan& FftPlan::operator=(FftPlan&& other) noexcept {
  std::swap(kind_, other.kind_);
  std::swap(n_, other.n_);
  real_.swap(other.real_);
  time_.swap(other.time_);
  spectrum_.swap(other.spectrum_);
  std::swap(plan_, other.plan_);
  std::swap(in_place_, other.in_place_);
  return *this;
}

FftPlan::~FftPlan() = default;  // the plan is shared (shared_plan), the buffers free themselves

void FftPlan::execute() {
  auto* bins = reinterpret_cast<fftw_complex*>(spectrum_.data());
  auto* values = reinterpret_cast<fftw_complex*>(time_.data());
  switch (kind_) {
    case Kind::real_forward:
      fftw_execute_dft_r2c(plan_, real_.data(), bins);
      break;
    case Kind::real_inverse:
      fftw_execute_dft_c2r(plan_, bins, real_.data());
      break;
    case Kind::complex_forward:
    case Kind::complex_inverse: {
      // Forward: time → spectrum; inverse: spectrum → time. An in-place plan (complex_plan) runs
      // on the output buffer after a copy of the input into it.
      const bool forward = kind_ == Kind::complex_forward;
      fftw_complex* from = forward ? values : bins;
      fftw_complex* to = forward ? bins : values;
      if (in_place_) {
        std::copy_n(reinterpret_cast<const std::complex<double>*>(from), n_,
                    reinterpret_cast<std::complex<double>*>(to));
        from = to;
      }
      fftw_execute_dft(plan_, from, to);
      break;
    }
  }
}

std::size_t next_power_of_two(std::size_t n) {
  std::size_t p = 1;
  while (p < n) p <<= 1;
  return p;
}

std::vector<std::complex<double>> fft(std::span<const std::complex<double>> x) {
  FftPlan plan(FftPlan::Kind::complex_forward, x.size());
  std::copy(x.begin(), x.end(), plan.time().begin());
  plan.execute();
  return {plan.spectrum().begin(), plan.spectrum().end()};
}

std::vector<std::complex<double>> ifft(std::span<const std::complex<double>> x) {
  FftPlan plan(FftPlan::Kind::complex_inverse, x.size());
  std::copy(x.begin(), x.end(), plan.spectrum().begin());
  plan.execute();
  std::vector<std::complex<double>> out(plan.time().begin(), plan.time().end());
  const double scale = 1.0 / static_cast<double>(x.size());
  for (auto& v : out) v *= scale;
  return out;
}

}  // namespace optilane
