#include <catch2/catch.hpp>

#include <cmath>

#include "channels/optical/fiber.hpp"
#include "phy/errors.hpp"
#include "phy/fft.hpp"
#include "phy/random.hpp"
#include "phy/units.hpp"
#include "tests/support/optical_helpers.hpp"

using namespace optilane;
using optilane::test::run_optical;
using optilane::test::test_lane;

namespace {

// The figure for the dispersion nulls; the frequency grid (52 MHz) is 0.3 % of f_0.
constexpr double null_tolerance = 0.02;

/// |small-signal power response| of a fibre on the bins of an N-sample periodic probe.
std::vector<double> power_response(FiberBlock& fiber, const LaneContext& lane, std::size_t n) {
  const double eps = 1e-4, p0 = 1e-3;
  RandomStream rng(11);
  std::vector<double> x(n);
  for (auto& v : x) v = rng.gaussian();
  std::vector<Complex> field;
  for (int period = 0; period < 3; ++period) {
    for (double v : x) field.emplace_back(std::sqrt(p0 * (1.0 + eps * v)), 0.0);
  }
  const Signal out = run_optical(fiber, field, lane.sample_rate_hz(), lane.wavelength_m, n);
  std::vector<Complex> p_out(n), p_in(n);
  for (std::size_t i = 0; i < n; ++i) {
    p_out[i] = std::norm(out.optical[2 * n + i]) - p0;
    p_in[i] = p0 * eps * x[i];
  }
  const auto y = fft(p_out);
  const auto u = fft(p_in);
  std::vector<double> h(n / 2);
  for (std::size_t k = 1; k < n / 2; ++k) h[k] = std::abs(y[k] / u[k]);
  return h;
}

}  // namespace

TEST_CASE("Fiber refuses bad parameters", "[channels][fiber]") {
  CHECK_THROWS_AS(FiberBlock(FiberParams{}), ParameterError);  // length is required
  CHECK_THROWS_AS(FiberBlock(FiberParams{.length_m = -1.0}), ParameterError);
  CHECK_THROWS_AS(FiberBlock(FiberParams{.length_m = 1.0, .attenuation_db_per_m = -1e-3}),
                  ParameterError);
  CHECK_THROWS_AS(FiberBlock(FiberParams{.length_m = 1.0, .corner = "worst"}), ParameterError);
  CHECK_THROWS_AS(FiberBlock(FiberParams{.length_m = 1.0, .steps = 0}), ParameterError);
}

TEST_CASE("Zero-length fibre is the identity", "[channels][fiber]") {
  FiberBlock fiber(FiberParams{.length_m = 0.0});
  const LaneContext lane = test_lane();
  fiber.prepare(lane);
  std::vector<Complex> field;
  for (int i = 0; i < 5000; ++i) field.emplace_back(std::polar(0.03 + 0.01 * (i % 5), 0.2 * i));
  const Signal out = run_optical(fiber, field, lane.sample_rate_hz(), lane.wavelength_m, 1000);
  CHECK(out.optical == field);
}

TEST_CASE("G.652 dispersion D(λ) = S0/4·(λ − λ0⁴/λ³) reproduces figures.md §2.7's table",
          "[channels][fiber]") {
  // Dmin uses λ0 = 1324 nm, Dmax λ0 = 1300 nm, S0 = 0.092 ps/nm²/km (table values in ps/nm/km).
  FiberBlock dmin(FiberParams{.length_m = 1.0, .corner = "min"});
  FiberBlock dmax(FiberParams{.length_m = 1.0, .corner = "max"});
  CHECK(dmin.dispersion_at(1271e-9) * 1e6 == Approx(-5.19).margin(0.006));
  CHECK(dmin.dispersion_at(1331e-9) * 1e6 == Approx(0.64).margin(0.006));
  CHECK(dmax.dispersion_at(1311e-9) * 1e6 == Approx(1.00).margin(0.006));
  CHECK(dmax.dispersion_at(1337.5e-9) * 1e6 == Approx(3.31).margin(0.006));
}

TEST_CASE("Each lane's fibre uses its own wavelength's dispersion", "[channels][fiber]") {
  FiberParams params{.length_m = 2000.0};
  FiberBlock a(params), b(params);
  a.prepare(test_lane(53.125e9, 16, 1271e-9));
  b.prepare(test_lane(53.125e9, 16, 1331e-9));
  CHECK(a.designed_wavelength_m() == 1271e-9);
  CHECK(b.beta2_at(b.designed_wavelength_m()) < 0.0);  // D > 0 above λ0 → β2 < 0
  CHECK(a.beta2_at(a.designed_wavelength_m()) > 0.0);
  CHECK(a.beta2_at(1271e-9) ==
        Approx(-a.dispersion_at(1271e-9) * 1271e-9 * 1271e-9 / (2 * pi * speed_of_light_m_per_s)));
}

TEST_CASE("Attenuation is exact: P_out = P_in·10^(−αL/10)", "[channels][fiber]") {
  FiberBlock fiber(FiberParams{.length_m = 2000.0});  // default 0.4 dB/km at 1311 nm
  const LaneContext lane = test_lane();
  fiber.prepare(lane);
  CHECK(fiber.loss_db() == Approx(0.8).epsilon(1e-12));
  const std::vector<Complex> field(20000, Complex(std::sqrt(1e-3), 0.0));
  const Signal out = run_optical(fiber, field, lane.sample_rate_hz(), lane.wavelength_m);
  for (std::size_t i = 10000; i < field.size(); i += 1111) {
    CHECK(std::norm(out.optical[i]) == Approx(1e-3 * std::pow(10.0, -0.08)).epsilon(1e-9));
  }
}

TEST_CASE("Dispersion's small-signal IM response has nulls at f_k = √((2k+1)/(4π|β2|L))",
          "[channels][fiber]") {
  // 10 km at 1550 nm with D = 17 ps/nm/km (β3 off through `dispersion`): f_0 ≈ 19 GHz.
  FiberBlock fiber(
      FiberParams{.length_m = 10e3, .attenuation_db_per_m = 0.0, .dispersion_s_per_m2 = 17e-6});
  const LaneContext lane = test_lane(53.125e9, 16, 1550e-9);
  fiber.prepare(lane);
  const std::size_t n = 1 << 14;
  const auto h = power_response(fiber, lane, n);
  const double beta2 = std::abs(fiber.beta2_at(1550e-9)) * 10e3;
  const double df = lane.sample_rate_hz() / static_cast<double>(n);
  for (int k = 0; k < 2; ++k) {
    const double expected = std::sqrt((2.0 * k + 1.0) / (4.0 * pi * beta2));
    std::size_t best = 0;
    for (auto i = static_cast<std::size_t>(0.8 * expected / df);
         i <= static_cast<std::size_t>(1.2 * expected / df); ++i) {
      if (best == 0 || h[i] < h[best]) best = i;
    }
    INFO("null " << k << ": expected " << expected / 1e9 << " GHz");
    CHECK(static_cast<double>(best) * df == Approx(expected).epsilon(null_tolerance));
    CHECK(h[best] < 0.02);
  }
  // Between the nulls the response follows |cos(β2ω²L/2)|.
  const double f = 5e9;
  CHECK(h[static_cast<std::size_t>(f / df)] ==
        Approx(std::abs(std::cos(beta2 * std::pow(2 * pi * f, 2) / 2))).margin(0.01));
}

TEST_CASE("Split-step Kerr propagation equals the linear model at low power", "[channels][fiber]") {
  FiberBlock linear(FiberParams{.length_m = 10e3});
  FiberBlock kerr(FiberParams{.length_m = 10e3, .nonlinear = true, .steps = 8});
  const LaneContext lane = test_lane(53.125e9, 16, 1550e-9);
  linear.prepare(lane);
  kerr.prepare(lane);
  std::vector<Complex> field;
  RandomStream rng(3);
  for (int i = 0; i < 40000; ++i) {
    field.emplace_back(std::sqrt(1e-6 * (0.2 + ((i / 16) % 4) / 3.0)), 0.0);  // ~1 µW PAM4
  }
  const Signal a = run_optical(linear, field, lane.sample_rate_hz(), lane.wavelength_m);
  const Signal b = run_optical(kerr, field, lane.sample_rate_hz(), lane.wavelength_m);
  // Both are delayed by their FIR centres; compare power after aligning the delays.
  const auto shift = static_cast<std::ptrdiff_t>(kerr.latency_samples() - linear.latency_samples());
  REQUIRE(shift >= 0);
  double err = 0.0, ref = 0.0;
  for (std::size_t i = 20000; i < 30000; ++i) {
    err += std::norm(b.optical[i + static_cast<std::size_t>(shift)] - a.optical[i]);
    ref += std::norm(a.optical[i]);
  }
  CHECK(std::sqrt(err / ref) < 1e-5);
  SECTION("and at high power the Kerr phase γ·P·L_eff appears on a CW input") {
    FiberBlock cw(FiberParams{.length_m = 10e3,
                              .attenuation_db_per_m = 0.0,
                              .dispersion_s_per_m2 = 0.0,
                              .nonlinear = true,
                              .steps = 4});
    cw.prepare(lane);
    const std::vector<Complex> tone(5000, Complex(std::sqrt(0.1), 0.0));  // 100 mW
    const Signal out = run_optical(cw, tone, lane.sample_rate_hz(), lane.wavelength_m);
    // φ_NL = −γ·P·L (no loss) in the e^{+jωt} convention.
    CHECK(std::arg(out.optical[4000]) == Approx(-1.3e-3 * 0.1 * 10e3).epsilon(1e-6));
  }
}

TEST_CASE("Fiber copies and resets deterministically", "[channels][fiber]") {
  FiberBlock fiber(FiberParams{.length_m = 2000.0});
  const LaneContext lane = test_lane(53.125e9, 16, 1271e-9);
  fiber.prepare(lane);
  std::vector<Complex> field;
  for (int i = 0; i < 50000; ++i) field.emplace_back(std::sqrt(1e-3 * (1 + (i / 16) % 4)), 0.0);
  auto copy = fiber.clone();
  const Signal a = run_optical(fiber, field, lane.sample_rate_hz(), lane.wavelength_m);
  const Signal b = run_optical(*copy, field, lane.sample_rate_hz(), lane.wavelength_m);
  fiber.reset();
  const Signal c = run_optical(fiber, field, lane.sample_rate_hz(), lane.wavelength_m);
  CHECK(a.optical == b.optical);
  CHECK(a.optical == c.optical);
}
