#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <functional>
#include <numeric>
#include <vector>

#include "phy/errors.hpp"
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
  CHECK(plain.taps.size() > 3000);     // the 1e-10 energy tolerance keeps the 1/n ring
  CHECK(plain.dropped_energy > 1e-9);  // and the pre-response capped at 64 samples breaks it
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
  // design_analog_fir samples H_w = H − j·Im H(fs/2)·(1 − w) (w = 1 below 0.3·fs) on the 2^17-point
  // grid and keeps all but ε = 1e-10 of the energy Σh². At the grid's frequencies f_k = k·fs/M the
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
    // Above 0.3·fs the design subtracts j·Im H(fs/2)·(1 − w(f)): H within that of the bound.
    const double im_nyquist = std::abs(filter_response(spec, fs / 2.0).imag());
    for (double k : {45000.0, 55000.0, 65000.0, 65536.0}) {
      const double f = k * fs / grid;
      INFO("f = " << f / 1e9 << " GHz");
      CHECK(std::abs(fir_response(fir.taps, f, -pre) - filter_response(spec, f)) <=
            bound + im_nyquist * (1.0 - nyquist_phase_window(f, fs)));
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

namespace {
using Response = std::function<std::complex<double>(double)>;

/// The closed forms the chain's analog responses are held to (independent of filter_response).
/// Butterworth (1930) of order 1 and 2: 1/(1 + jx) and 1/(1 − x² + j√2·x), x = f/B.
Response butterworth_closed_form(double bandwidth_hz, int order) {
  return [bandwidth_hz, order](double f) {
    const double x = f / bandwidth_hz;
    using C = std::complex<double>;
    return order == 1 ? 1.0 / C(1.0, x) : 1.0 / C(1.0 - x * x, std::sqrt(2.0) * x);
  };
}

/// Bessel-Thomson of order 4 (Thomson 1949; the form of IEEE 802.3 cl. 121.8.5's reference
/// receiver): H = 105/(105 + 105y + 45y² + 10y³ + y⁴), y = j·(ω/ω_0), ω_0 set so |H|² = ½ at B
/// (ω_3dB/ω_0 = 2.1139, 802.3's "2.114", found here by bisection).
Response bessel4_closed_form(double bandwidth_hz) {
  auto unit = [](double w) {
    const std::complex<double> y(0.0, w);
    return 105.0 / (105.0 + y * (105.0 + y * (45.0 + y * (10.0 + y))));
  };
  double lo = 1.0, hi = 4.0;
  for (int i = 0; i < 100; ++i) {
    const double mid = 0.5 * (lo + hi);
    (std::norm(unit(mid)) > 0.5 ? lo : hi) = mid;
  }
  const double w3 = 0.5 * (lo + hi);
  return [unit, w3, bandwidth_hz](double f) { return unit(w3 * f / bandwidth_hz); };
}

std::complex<double> fir_response_at(const std::vector<double>& taps, double f, double first_index,
                                     double sample_rate_hz) {
  std::complex<double> sum;
  for (std::size_t n = 0; n < taps.size(); ++n) {
    sum += taps[n] *
           std::exp(std::complex<double>(
               0.0, -2.0 * pi * f * (static_cast<double>(n) + first_index) / sample_rate_hz));
  }
  return sum;
}

/// design_analog_fir's taps against a closed form H: the complex response below 0.3·fs (where
/// the design keeps H exactly) and above it, at the design grid's frequencies k·fs/M, within
/// the Parseval bound of the truncation: Σ_k |H_fir(f_k) − H_w(f_k)|² = M·Σ(dropped taps)², so
/// each |ΔH(f_k)| ≤ √(M·dropped_energy·Σh²), dropped_energy ≤ ε.
void check_against_closed_form(const FirDesign& fir, const Response& closed_form,
                               double sample_rate_hz, double epsilon) {
  constexpr double grid = 131072.0;  // the design grid for max_taps = 8192
  const double kept = std::inner_product(fir.taps.begin(), fir.taps.end(), fir.taps.begin(), 0.0);
  const double bound = std::sqrt(grid * epsilon * kept / (1.0 - epsilon));
  // The taps start `pre` samples before t = 0: the design's DC group delay minus H's.
  const double df = 1e3;
  const double tau0 =
      -(std::arg(closed_form(df)) - std::arg(closed_form(-df))) / (2.0 * pi * 2.0 * df);
  const double pre = std::round(fir.delay_samples - tau0 * sample_rate_hz);
  for (double k : {1.0, 300.0, 1000.0, 3000.0, 7000.0, 15000.0, 25000.0, 39321.0}) {  // ≤ 0.3·fs
    const double f = k * sample_rate_hz / grid;
    INFO("f = " << f / 1e9 << " GHz, bound " << bound);
    CHECK(std::abs(fir_response_at(fir.taps, f, -pre, sample_rate_hz) - closed_form(f)) <= bound);
  }
  // Above 0.3·fs the design subtracts j·Im H(fs/2)·(1 − w(f)), w = nyquist_phase_window: H is
  // held within that of the bound, |Im H(fs/2)| at fs/2 itself.
  const double im_nyquist = std::abs(closed_form(sample_rate_hz / 2.0).imag());
  for (double k : {45000.0, 52000.0, 60000.0, 65536.0}) {
    const double f = k * sample_rate_hz / grid;
    INFO("f = " << f / 1e9 << " GHz, bound " << bound << ", Im H(fs/2) " << im_nyquist);
    CHECK(std::abs(fir_response_at(fir.taps, f, -pre, sample_rate_hz) - closed_form(f)) <=
          bound + im_nyquist * (1.0 - nyquist_phase_window(f, sample_rate_hz)));
  }
}
}  // namespace

TEST_CASE("the chain's analog responses keep design_analog_fir's energy tolerance and closed forms",
          "[phy][filter]") {
  // The Bessel-Thomson and Butterworth responses the transmitter's drivers and DAC, the intensity
  // modulator and the filter block design at the presets' sample rates. Plain frequency sampling
  // rings as (−1)ⁿ·Im H(fs/2)/(πn) (above) and breaks its own tolerance: its pre-response, capped
  // at 64 samples, drops up to 1e-4 of the energy and its tail hits the 8,192-tap cap.
  constexpr double epsilon = 1e-10;
  struct Case {
    const char* what;
    FilterSpec spec;
    double sample_rate_hz;
    Response closed_form;
  };
  const std::vector<Case> cases{
      {"100G driver, Bessel-4 45 GHz at 425 GS/s",
       {.shape = FilterShape::bessel, .bandwidth_hz = 45e9, .order = 4},
       425e9,
       bessel4_closed_form(45e9)},
      {"200G driver, Bessel-4 60 GHz at 850 GS/s",
       {.shape = FilterShape::bessel, .bandwidth_hz = 60e9, .order = 4},
       850e9,
       bessel4_closed_form(60e9)},
      {"EML, Bessel-4 40 GHz at 850 GS/s",
       {.shape = FilterShape::bessel, .bandwidth_hz = 40e9, .order = 4},
       850e9,
       bessel4_closed_form(40e9)},
      {"filter, Butterworth-1 40 GHz at 850 GS/s",
       {.shape = FilterShape::butterworth, .bandwidth_hz = 40e9, .order = 1},
       850e9,
       butterworth_closed_form(40e9, 1)},
      {"filter, Butterworth-2 50 GHz at 850 GS/s",
       {.shape = FilterShape::butterworth, .bandwidth_hz = 50e9, .order = 2},
       850e9,
       butterworth_closed_form(50e9, 2)},
      {"filter, Butterworth-2 50 GHz at 425 GS/s",
       {.shape = FilterShape::butterworth, .bandwidth_hz = 50e9, .order = 2},
       425e9,
       butterworth_closed_form(50e9, 2)},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    const FirDesign plain = design_fir(c.spec, c.sample_rate_hz);
    CHECK(plain.dropped_energy > 5.0 * epsilon);
    const FirDesign fir = design_filter_fir(c.spec, c.sample_rate_hz);
    CHECK(fir.taps == design_analog_fir(c.spec, c.sample_rate_hz).taps);
    CHECK(fir.dropped_energy <= epsilon);
    CHECK(fir.taps.size() <= 400);  // measured 53…272 (bench/README, issue-fir's table)
    check_against_closed_form(fir, c.closed_form, c.sample_rate_hz, epsilon);
  }
}

TEST_CASE("design_analog_fir of a rational response: the laser's RIN resonance and the COM CTLE",
          "[phy][filter]") {
  constexpr double epsilon = 1e-10;
  using C = std::complex<double>;
  SECTION("RIN follows the modulation response f_r²/(f_r² − f² + j f γ/2π) (Coldren §5.5)") {
    const double fr = 10e9, gamma = 3.2e10;  // the laser block's defaults
    const Response h = [fr, gamma](double f) {
      return C(fr * fr) / C(fr * fr - f * f, f * gamma / (2.0 * pi));
    };
    for (double rate : {425e9, 850e9}) {
      const FirDesign fir = design_analog_fir(h, rate);
      CHECK(fir.dropped_energy <= epsilon);
      CHECK(fir.taps.size() <= 1000);  // measured 339 and 646: the resonance decays as e^(−γt/2)
      check_against_closed_form(fir, h, rate, epsilon);
    }
  }
  SECTION("CTLE × receiver Butterworth-4 at 0.58·f_b (802.3 Annex 93A.1.4.3, 802.3dj COM)") {
    // H = (g + jf/f_z)/((1 + jf/f_p1)(1 + jf/f_p2)) · 1/B4(f/(0.58 f_b)), g = −6 dB,
    // f_z = f_p1 = f_b/2.5, f_p2 = f_b; B4 the Butterworth polynomial (poles e^{jπ(2k+5)/8}).
    const double fb = 53.125e9, rate = 425e9;
    const double g = std::pow(10.0, -6.0 / 20.0);
    const Response h = [fb, g](double f) {
      const C ctle =
          (g + C(0.0, f / (fb / 2.5))) / ((1.0 + C(0.0, f / (fb / 2.5))) * (1.0 + C(0.0, f / fb)));
      C butter(1.0, 0.0);
      const C s(0.0, f / (0.58 * fb));
      for (int k = 0; k < 4; ++k) {
        const C pole = std::polar(1.0, pi * (2.0 * k + 5.0) / 8.0);
        butter *= -pole / (s - pole);
      }
      return ctle * butter;
    };
    const FirDesign plain = design_fir(h, rate, /*zero_phase=*/false);
    CHECK(plain.dropped_energy > epsilon);  // 2.1e-10 in its capped pre-response alone
    const FirDesign fir = design_analog_fir(h, rate);
    CHECK(fir.dropped_energy <= epsilon);
    CHECK(fir.taps.size() < plain.taps.size());  // 78 against 158
    check_against_closed_form(fir, h, rate, epsilon);
  }
}

TEST_CASE("design_filter_fir designs the zero-phase shapes as design_fir does", "[phy][filter]") {
  for (auto shape : {FilterShape::gaussian, FilterShape::raised_cosine}) {
    const FilterSpec spec{.shape = shape, .bandwidth_hz = 30e9, .rolloff = 0.4};
    INFO(filter_shape_name(shape));
    CHECK(design_filter_fir(spec, fs).taps == design_fir(spec, fs).taps);
    CHECK(design_filter_fir(spec, fs).dropped_energy <= 1e-10);
  }
  CHECK_THROWS_AS(
      design_analog_fir(FilterSpec{.shape = FilterShape::gaussian, .bandwidth_hz = 3e10}, fs),
      ParameterError);
}
