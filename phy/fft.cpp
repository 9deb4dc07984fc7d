#include "phy/fft.hpp"

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <new>
#include <stdexcept>

namespace optilane {
namespace {
std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
}

/// One FFTW plan per (kind, size) for the whole process, made on first use and executed on each
/// FftPlan's own buffers with FFTW's new-array functions (thread-safe; every buffer comes from
/// fftw_malloc, so it has the alignment the plan was made for). Cloning a chain or a filter then
/// costs no planning, and every thread runs the very same plan. The table lives until the process
/// ends and is never destroyed (no destruction-order hazard with other statics that filter at
/// exit); it stays reachable, so LeakSanitizer does not report the plans as leaks.
fftw_plan shared_plan(FftPlan::Kind kind, std::size_t n) {
  static auto& plans = *new std::map<std::pair<int, std::size_t>, fftw_plan>;
  const std::lock_guard lock(planner_mutex());
  const auto key = std::make_pair(static_cast<int>(kind), n);
  if (const auto it = plans.find(key); it != plans.end()) return it->second;
  const int size = static_cast<int>(n);
  const bool real_kind = kind == FftPlan::Kind::real_forward || kind == FftPlan::Kind::real_inverse;
  FftBuffer<double> real(real_kind ? n : 0);
  FftBuffer<std::complex<double>> spectrum(real_kind ? n / 2 + 1 : n);
  auto* bins = reinterpret_cast<fftw_complex*>(spectrum.data());
  fftw_plan plan = nullptr;
  switch (kind) {
    case FftPlan::Kind::real_forward:
      plan = fftw_plan_dft_r2c_1d(size, real.data(), bins, FFTW_ESTIMATE);
      break;
    case FftPlan::Kind::real_inverse:
      plan = fftw_plan_dft_c2r_1d(size, bins, real.data(), FFTW_ESTIMATE);
      break;
    case FftPlan::Kind::complex_forward:
      plan = fftw_plan_dft_1d(size, bins, bins, FFTW_FORWARD, FFTW_ESTIMATE);
      break;
    case FftPlan::Kind::complex_inverse:
      plan = fftw_plan_dft_1d(size, bins, bins, FFTW_BACKWARD, FFTW_ESTIMATE);
      break;
  }
  if (plan == nullptr) throw std::runtime_error("FFTW could not make a plan");
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
    spectrum_ = FftBuffer<std::complex<double>>(n);
  }
  plan_ = shared_plan(kind, n);
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
  spectrum_.swap(other.spectrum_);
  std::swap(plan_, other.plan_);
  return *this;
}

FftPlan::~FftPlan() = default;  // the plan is shared (shared_plan), the buffers free themselves

void FftPlan::execute() {
  auto* bins = reinterpret_cast<fftw_complex*>(spectrum_.data());
  switch (kind_) {
    case Kind::real_forward:
      fftw_execute_dft_r2c(plan_, real_.data(), bins);
      break;
    case Kind::real_inverse:
      fftw_execute_dft_c2r(plan_, bins, real_.data());
      break;
    case Kind::complex_forward:
    case Kind::complex_inverse:
      fftw_execute_dft(plan_, bins, bins);
      break;
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
