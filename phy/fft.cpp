#include "phy/fft.hpp"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <new>
#include <stdexcept>

namespace optilane {
namespace {
std::mutex& planner_mutex() {
  static std::mutex mutex;
  return mutex;
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
  const int size = static_cast<int>(n);
  const bool real_kind = kind == Kind::real_forward || kind == Kind::real_inverse;
  if (real_kind) {
    real_ = FftBuffer<double>(n);
    spectrum_ = FftBuffer<std::complex<double>>(n / 2 + 1);
  } else {
    spectrum_ = FftBuffer<std::complex<double>>(n);
  }
  auto* bins = reinterpret_cast<fftw_complex*>(spectrum_.data());
  const std::lock_guard lock(planner_mutex());
  switch (kind) {
    case Kind::real_forward:
      plan_ = fftw_plan_dft_r2c_1d(size, real_.data(), bins, FFTW_ESTIMATE);
      break;
    case Kind::real_inverse:
      plan_ = fftw_plan_dft_c2r_1d(size, bins, real_.data(), FFTW_ESTIMATE);
      break;
    case Kind::complex_forward:
      plan_ = fftw_plan_dft_1d(size, bins, bins, FFTW_FORWARD, FFTW_ESTIMATE);
      break;
    case Kind::complex_inverse:
      plan_ = fftw_plan_dft_1d(size, bins, bins, FFTW_BACKWARD, FFTW_ESTIMATE);
      break;
  }
  if (plan_ == nullptr) throw std::runtime_error("FFTW could not make a plan");
}

FftPlan& FftPlan::operator=(const FftPlan& other) {
  if (this != &other) {
    FftPlan copy(other);
    *this = std::move(copy);
  }
  return *this;
}

FftPlan::FftPlan(FftPlan&& other) noexcept { *this = std::move(other); }

FftPlan& FftPlan::operator=(FftPlan&& other) noexcept {
  std::swap(kind_, other.kind_);
  std::swap(n_, other.n_);
  real_.swap(other.real_);
  spectrum_.swap(other.spectrum_);
  std::swap(plan_, other.plan_);
  return *this;
}

FftPlan::~FftPlan() {
  if (plan_ != nullptr) {
    const std::lock_guard lock(planner_mutex());
    fftw_destroy_plan(plan_);
  }
}

void FftPlan::execute() { fftw_execute(plan_); }

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
