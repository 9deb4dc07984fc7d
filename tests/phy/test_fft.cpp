#include <fftw3.h>

#include <catch2/catch.hpp>
#include <complex>
#include <cstring>
#include <vector>

#include "phy/fft.hpp"
#include "phy/random.hpp"

using namespace optilane;

namespace {

/// FFTW's own in-place plan of the same transform (FFTW_ESTIMATE, as phy/fft.cpp plans), made
/// and run on one fftw_malloc'd buffer: the layout FftPlan used for complex transforms before
/// issue 9.
std::vector<std::complex<double>> in_place(const std::vector<std::complex<double>>& x, int sign) {
  const auto n = static_cast<int>(x.size());
  FftBuffer<std::complex<double>> buffer(x.size());
  auto* data = reinterpret_cast<fftw_complex*>(buffer.data());
  fftw_plan plan = fftw_plan_dft_1d(n, data, data, sign, FFTW_ESTIMATE);
  REQUIRE(plan != nullptr);
  std::copy(x.begin(), x.end(), buffer.data());
  fftw_execute(plan);
  fftw_destroy_plan(plan);
  return {buffer.data(), buffer.data() + x.size()};
}

}  // namespace

TEST_CASE("FFT plans run on buffers with the alignment they were planned on", "[phy][fft]") {
  // FFTW's new-array execute is defined only on arrays with the planning arrays' alignment
  // (FFTW manual, "New-array Execute Functions"), and a plan made on misaligned storage gets
  // non-SIMD codelets. Every FftPlan buffer comes from fftw_malloc, as the planning buffers do.
  for (const std::size_t n : {256u, 512u, 1000u, 4096u}) {
    for (const auto kind : {FftPlan::Kind::real_forward, FftPlan::Kind::real_inverse,
                            FftPlan::Kind::complex_forward, FftPlan::Kind::complex_inverse}) {
      FftPlan plan(kind, n);
      const FftPlan copy = plan;  // copies own their buffers (cloned chains)
      for (FftPlan* p : {&plan, const_cast<FftPlan*>(&copy)}) {
        CHECK(fftw_alignment_of(reinterpret_cast<double*>(p->spectrum().data())) == 0);
        if (!p->real().empty()) CHECK(fftw_alignment_of(p->real().data()) == 0);
        if (!p->time().empty()) {
          CHECK(fftw_alignment_of(reinterpret_cast<double*>(p->time().data())) == 0);
        }
      }
    }
  }
}

TEST_CASE("Out-of-place complex FFTs equal FFTW's in-place plans bit for bit", "[phy][fft]") {
  // FftPlan runs complex transforms out of place where FFTW's out-of-place plan is its in-place
  // plan without the bounce buffer, and in place where FFTW_ESTIMATE picks another algorithm out
  // of place (128 and 65,536 points, among others: phy/fft.hpp). Either way the values must not
  // move: every figure downstream of the fibre's filter was recorded with the in-place plans.
  // Powers of two are what the overlap-save filters and the fibre's design use; 1000 and 3000
  // are there for mixed radices.
  RandomStream rng(7);
  std::vector<std::size_t> sizes = {1000, 3000};
  for (std::size_t n = 16; n <= 65536; n *= 2) sizes.push_back(n);
  for (const std::size_t n : sizes) {
    INFO("n = " << n);
    std::vector<std::complex<double>> x(n);
    for (auto& v : x) v = {rng.gaussian(), rng.gaussian()};
    FftPlan forward(FftPlan::Kind::complex_forward, n);
    std::copy(x.begin(), x.end(), forward.time().begin());
    forward.execute();
    const auto want_forward = in_place(x, FFTW_FORWARD);
    CHECK(std::memcmp(forward.spectrum().data(), want_forward.data(), n * sizeof(x[0])) == 0);
    FftPlan inverse(FftPlan::Kind::complex_inverse, n);
    std::copy(x.begin(), x.end(), inverse.spectrum().begin());
    inverse.execute();
    const auto want_inverse = in_place(x, FFTW_BACKWARD);
    CHECK(std::memcmp(inverse.time().data(), want_inverse.data(), n * sizeof(x[0])) == 0);
    // The input is preserved (out of place, FFTW's default for complex transforms).
    CHECK(std::memcmp(forward.time().data(), x.data(), n * sizeof(x[0])) == 0);
  }
}

TEST_CASE("fft and ifft round-trip a sequence to round-off", "[phy][fft]") {
  // ifft(fft(x)) = x: the DFT pair with ifft's 1/n (round-off ~ε·log2 n of the signal).
  constexpr double tolerance = 1e-13;  // ε·log2(4096)·|x| with headroom for the 1/n scaling
  RandomStream rng(8);
  std::vector<std::complex<double>> x(4096);
  for (auto& v : x) v = {rng.gaussian(), rng.gaussian()};
  const auto back = ifft(fft(x));
  double worst = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) worst = std::max(worst, std::abs(back[i] - x[i]));
  CHECK(worst < tolerance);
}
