#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>
#include <vector>

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

namespace {
std::complex<double> fir_response(const std::vector<double>& taps, double f, double first_index) {
  std::complex<double> sum;
  for (std::size_t n = 0; n < taps.size(); ++n) {
    sum += taps[n] * std::exp(std::complex<double>(
                         0.0, -2.0 * pi * f * (static_cast<double>(n) + first_index) / fs));
  }
  return sum;
}
}  // namespace

TEST_CASE("plain frequency sampling of an analog low-pass rings as (−1)^n·Im H(fs/2)/(πn)",
          "[phy][filter]") {
  // Why design_analog_fir exists: the periodic response jumps by 2j·Im H(fs/2) at fs/2, whose
  // inverse transform is the ring (−1)^n·Im H(fs/2)/(π n) (the Fourier series of a step); on the
  // M = 2^17-point design grid the same jump transforms to (−1)^n·Im H(fs/2)·cot(π n/M)/M (the
  // discrete kernel: 1/(π n) for n ≪ M). The next terms (the kink of Re H at fs/2) fall as 1/n²:
  // 1.2 % of the ring at n = 500, 0.6 % at 1,000, 0.15 % at 4,000 here, so 1 % holds from 1,000.
  const FilterSpec spec{.shape = FilterShape::butterworth, .bandwidth_hz = 32e9, .order = 2};
  const FirDesign plain = design_fir(spec, fs);
  CHECK(plain.taps.size() > 3000);  // the 1e-10 energy tolerance keeps the 1/n ring
  // The causal response starts 64 taps in (the capped pre-response); its peak is near n = 5.
  const std::size_t start = 64;
  const double im_nyquist = filter_response(spec, fs / 2.0).imag();
  constexpr double grid = 131072.0;
  for (std::size_t n : {1000u, 1001u, 2000u, 3001u, 3700u}) {
    const double ring = (n % 2 == 0 ? 1.0 : -1.0) * im_nyquist / grid /
                        std::tan(pi * static_cast<double>(n) / grid);
    INFO("n = " << n);
    CHECK(plain.taps[start + n] == Approx(ring).epsilon(0.01));
  }
}

TEST_CASE("design_analog_fir: Butterworth and Bessel responses within the truncation bound",
          "[phy][filter]") {
  // design_analog_fir samples H_w = |H|·exp(j·w·φ) (w = 1 below 0.3·fs) on the 2^17-point grid
  // and keeps all but ε = 1e-10 of the energy Σh². At the grid's frequencies f_k = k·fs/M the
  // untruncated taps reproduce H_w exactly, so (Parseval) Σ_k |H_fir(f_k) − H_w(f_k)|² =
  // M·Σ(dropped taps)² ≤ M·ε·Σh², and each |H_fir(f_k) − H_w(f_k)| is at most its square root.
  // Closed forms: Butterworth |H|² = 1/(1 + (f/B)^(2n)) (Butterworth 1930) with group delay
  // (√2/ω_c)(1 + x²)/(1 + x⁴), x = ω/ω_c, for n = 2; Bessel-Thomson as filter_response.
  constexpr double grid = 131072.0;
  constexpr double epsilon = 1e-10;
  const std::vector<FilterSpec> specs{
      {.shape = FilterShape::butterworth, .bandwidth_hz = 32e9, .order = 2},
      {.shape = FilterShape::butterworth, .bandwidth_hz = 26.56e9, .order = 3},
      {.shape = FilterShape::bessel, .bandwidth_hz = 26.5625e9, .order = 4}};
  for (const FilterSpec& spec : specs) {
    INFO(filter_shape_name(spec.shape) << " order " << spec.order);
    const FirDesign fir = design_analog_fir(spec, fs);
    CHECK(fir.taps.size() < 400);
    const double energy =
        std::inner_product(fir.taps.begin(), fir.taps.end(), fir.taps.begin(), 0.0);
    const double bound = std::sqrt(grid * epsilon * energy / (1.0 - epsilon));
    // The taps start `pre` samples before t = 0: the design's DC group delay minus H's.
    const double df = 1e3;
    const double tau0 =
        -(std::arg(filter_response(spec, df)) - std::arg(filter_response(spec, -df))) /
        (2.0 * pi * 2.0 * df);
    const double pre = std::round(fir.delay_samples - tau0 * fs);
    for (double k : {1.0, 1000.0, 4935.0, 10000.0, 30000.0, 39321.0}) {  // up to 0.3·fs
      const double f = k * fs / grid;
      INFO("f = " << f / 1e9 << " GHz");
      const auto got = fir_response(fir.taps, f, -pre);
      CHECK(std::abs(got - filter_response(spec, f)) <= bound);
      if (spec.shape == FilterShape::butterworth) {
        const double x = std::pow(f / spec.bandwidth_hz, 2 * spec.order);
        CHECK(std::abs(std::abs(got) - 1.0 / std::sqrt(1.0 + x)) <= bound);
      }
    }
    for (double k : {45000.0, 55000.0, 65000.0, 65536.0}) {  // tapered phase: |H| only
      const double f = k * fs / grid;
      INFO("f = " << f / 1e9 << " GHz");
      CHECK(std::abs(std::abs(fir_response(fir.taps, f, 0.0)) -
                     std::abs(filter_response(spec, f))) <= bound);
    }
  }
  // Phase of the order-2 Butterworth, −atan2(√2·x, 1 − x²) with x = f/B (its derivative is the
  // group delay (√2/ω_c)(1 + x²)/(1 + x⁴)), below 0.3·fs where the design keeps it: |ΔH| ≤ bound
  // moves the phase by at most asin(bound/|H|).
  const FilterSpec tia{.shape = FilterShape::butterworth, .bandwidth_hz = 32e9, .order = 2};
  const FirDesign fir = design_analog_fir(tia, fs);
  const double wc = 2.0 * pi * 32e9;
  const double pre = std::round(fir.delay_samples - std::sqrt(2.0) / wc * fs);
  const double energy = std::inner_product(fir.taps.begin(), fir.taps.end(), fir.taps.begin(), 0.0);
  const double bound = std::sqrt(grid * epsilon * energy / (1.0 - epsilon));
  for (double k : {100.0, 4935.0, 9870.0, 19740.0, 39321.0}) {
    const double f = k * fs / grid;
    const double x = f / 32e9;
    const double expected = -std::atan2(std::sqrt(2.0) * x, 1.0 - x * x);
    const auto got = fir_response(fir.taps, f, -pre);
    INFO("f = " << f / 1e9 << " GHz");
    CHECK(std::abs(std::arg(got * std::exp(std::complex<double>(0.0, -expected)))) <=
          std::asin(bound / std::abs(got)));
  }
}
