#include <catch2/catch.hpp>

#include <cmath>

#include "devices/receivers/photodetector.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"
#include "tests/support/optical_helpers.hpp"

using namespace optilane;
using optilane::test::run_optical;
using optilane::test::test_lane;
using optilane::test::variance_of;

namespace {
// A variance estimated from N_eff ≈ N·B_n/(fs/2) ≈ 50 000 independent samples has a relative
// standard error of sqrt(2/N_eff) ≈ 0.6 %; 3 % (the figure) is five of those.
constexpr double monte_carlo_variance_tolerance = 0.03;
constexpr std::size_t noise_samples = 1 << 19;
}  // namespace

TEST_CASE("Photodetector refuses bad parameters", "[devices][photodetector]") {
  CHECK_THROWS_AS(PhotodetectorBlock(PhotodetectorParams{.responsivity_a_per_w = 0.0}),
                  ParameterError);
  CHECK_THROWS_AS(PhotodetectorBlock(PhotodetectorParams{.dark_current_a = -1e-9}), ParameterError);
  CHECK_THROWS_AS(PhotodetectorBlock(PhotodetectorParams{.bandwidth_hz = -5e9}), ParameterError);
  CHECK_THROWS_AS(PhotodetectorBlock(PhotodetectorParams{.order = 3}), ParameterError);
  CHECK_THROWS_AS(PhotodetectorBlock(PhotodetectorParams{.apd_gain = 0.5}), ParameterError);
  PhotodetectorBlock too_wide(PhotodetectorParams{.bandwidth_hz = 1e12});
  CHECK_THROWS_AS(too_wide.prepare(test_lane()), ParameterError);
}

TEST_CASE("Ideal photodetector gives i = R·|E|² exactly", "[devices][photodetector]") {
  PhotodetectorBlock pd(PhotodetectorParams{.responsivity_a_per_w = 0.9, .ideal = true});
  const LaneContext lane = test_lane();
  pd.prepare(lane);
  std::vector<Complex> field;
  for (int i = 0; i < 1000; ++i) field.emplace_back(std::polar(1e-2 * (1 + i % 7), 0.1 * i));
  const Signal out = run_optical(pd, field, lane.sample_rate_hz(), lane.wavelength_m, 300);
  REQUIRE(out.domain == Domain::electrical);
  REQUIRE(out.electrical.size() == field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    CHECK(out.electrical[i] == Approx(0.9 * std::norm(field[i])).epsilon(1e-14));
  }
}

TEST_CASE("Photodetector mean current is M·(R·P + I_d) and noise off leaves it noiseless",
          "[devices][photodetector]") {
  PhotodetectorBlock pd(PhotodetectorParams{
      .responsivity_a_per_w = 0.8, .dark_current_a = 50e-9, .bandwidth_hz = 40e9, .apd_gain = 4.0});
  const LaneContext lane = test_lane();
  pd.prepare(lane);
  pd.set_noise_enabled(false);
  const std::vector<Complex> field(20000, Complex(std::sqrt(1e-4), 0.0));  // 100 µW
  const Signal out = run_optical(pd, field, lane.sample_rate_hz(), lane.wavelength_m);
  const double expected = 4.0 * (0.8 * 1e-4 + 50e-9);
  // After the filter's start-up transient the DC gain 1 response passes the constant exactly.
  for (std::size_t i = 5000; i < out.electrical.size(); i += 997) {
    CHECK(out.electrical[i] == Approx(expected).epsilon(1e-9));
  }
}

TEST_CASE(
    "Shot-noise variance is 2q·I·B_n with B_n the response's noise bandwidth "
    "(Agrawal eq. 4.4.5)",
    "[devices][photodetector]") {
  const int order = GENERATE(1, 2);
  PhotodetectorBlock pd(PhotodetectorParams{
      .responsivity_a_per_w = 0.8, .dark_current_a = 0.0, .bandwidth_hz = 40e9, .order = order});
  const LaneContext lane = test_lane();
  pd.prepare(lane);
  const double power_w = 1e-3;
  const std::vector<Complex> field(noise_samples, Complex(std::sqrt(power_w), 0.0));
  const Signal out = run_optical(pd, field, lane.sample_rate_hz(), lane.wavelength_m);
  const std::span<const double> settled(out.electrical.data() + 1000, out.electrical.size() - 1000);
  const double current = 0.8 * power_w;
  const double expected = 2.0 * elementary_charge_c * current * pd.noise_bandwidth_hz();
  // Order 1: the sampled RC's noise bandwidth fs/2·(1 − a)/(1 + a), a = exp(−2πB/fs), within
  // 1 % of the analog (π/2)·B at B/fs = 0.05.
  if (order == 1) CHECK(pd.noise_bandwidth_hz() == Approx(pi / 2 * 40e9).epsilon(0.01));
  CHECK(variance_of(settled) == Approx(expected).epsilon(monte_carlo_variance_tolerance));
}

TEST_CASE("APD shot noise is 2q·M²·F(M)·I_p·B_n with McIntyre's F(M)", "[devices][photodetector]") {
  PhotodetectorBlock pd(PhotodetectorParams{.responsivity_a_per_w = 0.5,
                                            .dark_current_a = 100e-9,
                                            .bandwidth_hz = 30e9,
                                            .apd_gain = 10.0,
                                            .ionization_ratio = 0.1});
  // F = k·M + (1 − k)(2 − 1/M) = 1 + 0.9·1.9 = 2.71.
  CHECK(pd.excess_noise_factor() == Approx(2.71).epsilon(1e-12));
  const LaneContext lane = test_lane();
  pd.prepare(lane);
  const double power_w = 20e-6;
  const std::vector<Complex> field(noise_samples, Complex(std::sqrt(power_w), 0.0));
  const Signal out = run_optical(pd, field, lane.sample_rate_hz(), lane.wavelength_m);
  const std::span<const double> settled(out.electrical.data() + 1000, out.electrical.size() - 1000);
  const double primary = 0.5 * power_w + 100e-9;
  const double expected =
      2.0 * elementary_charge_c * 100.0 * 2.71 * primary * pd.noise_bandwidth_hz();
  CHECK(variance_of(settled) == Approx(expected).epsilon(monte_carlo_variance_tolerance));
}

TEST_CASE("Photodetector copies and resets deterministically", "[devices][photodetector]") {
  PhotodetectorBlock pd(PhotodetectorParams{.bandwidth_hz = 50e9, .order = 2});
  const LaneContext lane = test_lane();
  pd.prepare(lane);
  std::vector<Complex> field;
  for (int i = 0; i < 70000; ++i) field.emplace_back(std::sqrt(1e-4 * (1 + (i / 16) % 4)), 0.0);
  auto copy = pd.clone();
  const Signal a = run_optical(pd, field, lane.sample_rate_hz(), lane.wavelength_m);
  const Signal b = run_optical(*copy, field, lane.sample_rate_hz(), lane.wavelength_m);
  pd.reset();
  const Signal c = run_optical(pd, field, lane.sample_rate_hz(), lane.wavelength_m);
  CHECK(a.electrical == b.electrical);
  CHECK(a.electrical == c.electrical);
}
