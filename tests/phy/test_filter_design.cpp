#include <catch2/catch.hpp>

#include <cmath>

#include "phy/filter_design.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {
constexpr double fs = 850e9;  // 53.125 GBd × 16
// The FIR is truncated at 1e-10 of the impulse energy; responses agree to ~1e-4 in magnitude.
constexpr double fir_tolerance = 2e-3;

double fir_magnitude(const std::vector<double>& taps, double f) {
  std::complex<double> sum;
  for (std::size_t n = 0; n < taps.size(); ++n) {
    sum += taps[n] * std::exp(std::complex<double>(0.0, -2.0 * pi * f * n / fs));
  }
  return std::abs(sum);
}
}  // namespace

TEST_CASE("every shape is 3 dB down at its bandwidth", "[phy][filter]") {
  for (auto shape : {FilterShape::bessel, FilterShape::butterworth, FilterShape::gaussian}) {
    for (int order : {1, 2, 4, 6}) {
      const FilterSpec spec{.shape = shape, .bandwidth_hz = 30e9, .order = order};
      INFO(filter_shape_name(shape) << " order " << order);
      CHECK(std::norm(filter_response(spec, 30e9)) == Approx(0.5).epsilon(1e-6));
      CHECK(std::abs(filter_response(spec, 0.0)) == Approx(1.0));
      const FirDesign fir = design_fir(spec, fs);
      CHECK(fir_magnitude(fir.taps, 30e9) == Approx(std::sqrt(0.5)).epsilon(fir_tolerance));
    }
  }
}

TEST_CASE("Butterworth magnitude is 1/sqrt(1+(f/B)^2n)", "[phy][filter]") {
  // Butterworth (1930): maximally flat, |H|^2 = 1/(1 + (f/B)^(2n)).
  for (int n : {1, 3, 5}) {
    const FilterSpec spec{.shape = FilterShape::butterworth, .bandwidth_hz = 20e9, .order = n};
    for (double f : {5e9, 20e9, 45e9}) {
      CHECK(std::norm(filter_response(spec, f)) ==
            Approx(1.0 / (1.0 + std::pow(f / 20e9, 2 * n))).epsilon(1e-9));
    }
  }
}

TEST_CASE("Bessel-Thomson group delay is maximally flat", "[phy][filter]") {
  // The 4th-order Bessel-Thomson filter's group delay varies by < 1 % up to its 3-dB bandwidth
  // (Thomson 1949); a Butterworth of the same order peaks by > 20 %.
  auto group_delay = [](const FilterSpec& spec, double f) {
    const double df = 1e6;
    const double phase1 = std::arg(filter_response(spec, f - df));
    const double phase2 = std::arg(filter_response(spec, f + df));
    return -(phase2 - phase1) / (2.0 * pi * 2.0 * df);
  };
  const FilterSpec bessel{.shape = FilterShape::bessel, .bandwidth_hz = 30e9, .order = 4};
  const double dc = group_delay(bessel, 1e8);
  CHECK(group_delay(bessel, 25e9) == Approx(dc).epsilon(0.01));
  const FilterSpec butter{.shape = FilterShape::butterworth, .bandwidth_hz = 30e9, .order = 4};
  CHECK(group_delay(butter, 28e9) > 1.2 * group_delay(butter, 1e8));
}

TEST_CASE("noise bandwidth of a first-order low-pass is (π/2)·B", "[phy][filter]") {
  // ∫_0^∞ df / (1 + (f/B)²) = (π/2)·B.
  const FilterSpec spec{.shape = FilterShape::butterworth, .bandwidth_hz = 10e9, .order = 1};
  const FirDesign fir = design_fir(spec, fs);
  // The FIR integrates only to fs/2 = 425 GHz: the tail beyond adds B·atan-complement = 2.3 %.
  const double expected = 10e9 * std::atan(425e9 / 10e9);
  CHECK(noise_bandwidth_hz(fir.taps, fs) == Approx(expected).epsilon(0.005));
}

TEST_CASE("raised cosine is half amplitude at its 6-dB frequency and zero beyond (1+β)B",
          "[phy][filter]") {
  const FilterSpec spec{
      .shape = FilterShape::raised_cosine, .bandwidth_hz = 26.5625e9, .rolloff = 0.3};
  CHECK(std::abs(filter_response(spec, 26.5625e9)) == Approx(0.5));
  CHECK(std::abs(filter_response(spec, 0.69 * 26.5625e9)) == Approx(1.0));
  CHECK(std::abs(filter_response(spec, 1.31 * 26.5625e9)) == Approx(0.0).margin(1e-12));
}

TEST_CASE("zero-phase filters are delayed by half their length", "[phy][filter]") {
  const FilterSpec spec{.shape = FilterShape::gaussian, .bandwidth_hz = 30e9};
  const FirDesign fir = design_fir(spec, fs);
  REQUIRE(fir.taps.size() % 2 == 1);
  CHECK(fir.delay_samples == Approx((fir.taps.size() - 1) / 2.0));
  const auto peak = std::max_element(fir.taps.begin(), fir.taps.end()) - fir.taps.begin();
  CHECK(static_cast<double>(peak) == fir.delay_samples);
}
