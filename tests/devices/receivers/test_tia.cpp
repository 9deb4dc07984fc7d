#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>

#include "devices/receivers/tia.hpp"
#include "phy/errors.hpp"
#include "tests/support/optical_helpers.hpp"

using namespace optilane;
using optilane::test::run_electrical;
using optilane::test::test_lane;
using optilane::test::variance_of;

namespace {
// See test_photodetector.cpp: ~0.6 % standard error on the variance; 3 % is the figure.
constexpr double monte_carlo_variance_tolerance = 0.03;
}  // namespace

TEST_CASE("TIA refuses bad parameters", "[devices][tia]") {
  CHECK_THROWS_AS(TiaBlock(TiaParams{.transimpedance_ohm = 0.0}), ParameterError);
  CHECK_THROWS_AS(TiaBlock(TiaParams{.noise_density_a_per_rthz = -1e-12}), ParameterError);
  CHECK_THROWS_AS(TiaBlock(TiaParams{.bandwidth_hz = 0.0}), ParameterError);
  CHECK_THROWS_AS(TiaBlock(TiaParams{.order = 5}), ParameterError);
  CHECK_THROWS_AS(TiaBlock(TiaParams{.shape = FilterShape::gaussian}), ParameterError);
  CHECK_THROWS_AS(TiaBlock(TiaParams{.output_swing_v = 0.0}), ParameterError);
  TiaBlock too_wide(TiaParams{.bandwidth_hz = 500e9});
  CHECK_THROWS_AS(too_wide.prepare(test_lane()), ParameterError);
}

TEST_CASE("Noiseless linear TIA is Z_T times the AC input after its response", "[devices][tia]") {
  TiaBlock tia(TiaParams{.transimpedance_ohm = 2000.0, .bandwidth_hz = 30e9});
  const LaneContext lane = test_lane();
  tia.prepare(lane);
  tia.set_noise_enabled(false);
  // A slow square wave (1024-sample half period) between 100 and 300 µA: mean 200 µA removed.
  std::vector<double> x(65536);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i / 1024) % 2 ? 300e-6 : 100e-6;
  const auto y = run_electrical(tia, x, lane.sample_rate_hz());
  // Settled values at the end of each half period: ±100 µA · 2000 Ω = ±0.2 V.
  for (std::size_t k = 4; k < 60; ++k) {
    const std::size_t i = k * 1024 + 1000;
    CHECK(y[i] == Approx((x[i] - 200e-6) * 2000.0).margin(1e-9));
  }
}

TEST_CASE("Limiting TIA clips at ±output_swing/2", "[devices][tia]") {
  TiaBlock tia(TiaParams{.transimpedance_ohm = 2000.0,
                         .bandwidth_hz = 30e9,
                         .mode = TiaMode::limiting,
                         .output_swing_v = 0.3});
  const LaneContext lane = test_lane();
  tia.prepare(lane);
  tia.set_noise_enabled(false);
  std::vector<double> x(65536);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = (i / 1024) % 2 ? 300e-6 : 100e-6;
  const auto y = run_electrical(tia, x, lane.sample_rate_hz());
  CHECK(*std::max_element(y.begin(), y.end()) == Approx(0.15).epsilon(1e-12));
  CHECK(*std::min_element(y.begin(), y.end()) == Approx(-0.15).epsilon(1e-12));
}

TEST_CASE("TIA thermal noise variance is i_n²·B_n referred to its input (Razavi §4.2)",
          "[devices][tia]") {
  const int order = GENERATE(1, 2, 4);
  TiaBlock tia(TiaParams{.transimpedance_ohm = 1000.0,
                         .noise_density_a_per_rthz = 16.9e-12,
                         .bandwidth_hz = 32e9,
                         .order = order});
  const LaneContext lane = test_lane();
  tia.prepare(lane);
  const std::vector<double> x(1 << 19, 50e-6);
  const auto y = run_electrical(tia, x, lane.sample_rate_hz());
  const std::span<const double> settled(y.data() + 1000, y.size() - 1000);
  const double expected = std::pow(16.9e-12, 2) * tia.noise_bandwidth_hz();
  CHECK(variance_of(settled) / 1e6 == Approx(expected).epsilon(monte_carlo_variance_tolerance));
  // A 2nd-order Butterworth's noise bandwidth is (π/(2·2·sin(π/4)))·B = 1.1107·B.
  if (order == 2) CHECK(tia.noise_bandwidth_hz() == Approx(1.1107 * 32e9).epsilon(0.02));
}

TEST_CASE("TIA copies and resets deterministically; reports its power", "[devices][tia]") {
  TiaBlock tia(TiaParams{});
  const LaneContext lane = test_lane();
  tia.prepare(lane);
  std::vector<double> x(70000);
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = 1e-4 * (1 + (i / 16) % 4);
  auto copy = tia.clone();
  const auto a = run_electrical(tia, x, lane.sample_rate_hz());
  const auto b = run_electrical(*copy, x, lane.sample_rate_hz());
  tia.reset();
  const auto c = run_electrical(tia, x, lane.sample_rate_hz());
  CHECK(a == b);
  CHECK(a == c);
  REQUIRE(tia.power().size() == 1);
  CHECK(tia.power()[0].power_w == Approx(47e-3));
  CHECK(tia.power()[0].category == PowerCategory::tia);
}
