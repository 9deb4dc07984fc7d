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

namespace {
/// A PAM4 photocurrent held for `hold` samples per symbol, levels mean ± (½, ⅙)·swing, each level
/// equally often (a fixed shuffled order of the four).
std::vector<double> pam4_current(double mean_a, double swing_a, std::size_t samples,
                                 std::size_t hold = 512) {
  static constexpr int order[8] = {0, 3, 1, 2, 3, 0, 2, 1};
  std::vector<double> x(samples);
  for (std::size_t i = 0; i < samples; ++i) {
    const int level = order[(i / hold) % 8];
    x[i] = mean_a + swing_a * (-0.5 + level / 3.0);
  }
  return x;
}

/// A noiseless TIA with AGC, prepared for `lane`.
TiaBlock noiseless_agc_tia(double z_max, double v_pp, const LaneContext& lane) {
  TiaBlock tia(TiaParams{.transimpedance_ohm = z_max,
                         .bandwidth_hz = 30e9,
                         .gain_control = TiaGainControl::agc,
                         .output_swing_v = v_pp});
  tia.prepare(lane);
  tia.set_noise_enabled(false);
  return tia;
}
}  // namespace

TEST_CASE("AGC holds a linear TIA's output at output_swing above V_pp/Z_T, Z_T below it",
          "[devices][tia]") {
  // Z = min(Z_T, V_pp / I_pp) with I_pp the input's peak-to-peak: a held PAM4 current of swing
  // I_pp gives exactly V_pp between its settled outer levels at the output.
  const LaneContext lane = test_lane();
  const double z_max = 2000.0, v_pp = 0.8;
  for (const double swing_a : {2e-3, 1e-3, 0.2e-3}) {
    INFO("input swing " << swing_a * 1e3 << " mA");
    TiaBlock tia = noiseless_agc_tia(z_max, v_pp, lane);
    const auto x = pam4_current(3e-3, swing_a, 65536);
    const auto y = run_electrical(tia, x, lane.sample_rate_hz());
    const double expected_gain = std::min(z_max, v_pp / swing_a);
    CHECK(tia.gain_ohm() == Approx(expected_gain).epsilon(1e-12));
    // Settled levels (the end of each held symbol, past the response): the output's swing.
    double low = 1e9, high = -1e9;
    for (std::size_t k = 4; k < 120; ++k) {
      low = std::min(low, y[k * 512 + 500]);
      high = std::max(high, y[k * 512 + 500]);
    }
    CHECK(high - low == Approx(expected_gain * swing_a).epsilon(1e-6));
    if (swing_a * z_max > v_pp) CHECK(high - low == Approx(v_pp).epsilon(1e-6));
  }
  // The chain's start-up (no light for the upstream latency: zero photocurrent before the
  // signal) is not taken for swing: 100 dark samples ahead of the same current give the same gain.
  {
    TiaBlock tia = noiseless_agc_tia(z_max, v_pp, lane);
    std::vector<double> x(100, 0.0);
    const auto signal = pam4_current(3e-3, 2e-3, 32768);
    x.insert(x.end(), signal.begin(), signal.end());
    (void)run_electrical(tia, x, lane.sample_rate_hz(), x.size());  // one chunk: whole periods
    CHECK(tia.gain_ohm() == Approx(v_pp / 2e-3).epsilon(1e-12));
  }
  // Fixed gain (the default) ignores output_swing.
  TiaBlock fixed(TiaParams{.transimpedance_ohm = z_max, .bandwidth_hz = 30e9});
  fixed.prepare(lane);
  fixed.set_noise_enabled(false);
  (void)run_electrical(fixed, pam4_current(3e-3, 2e-3, 65536), lane.sample_rate_hz());
  CHECK(fixed.gain_ohm() == z_max);
}

TEST_CASE("AGC: both paths take the gain of the noiseless twin's input", "[devices][tia]") {
  const LaneContext lane = test_lane();
  TiaBlock tia(TiaParams{.transimpedance_ohm = 2000.0,
                         .noise_density_a_per_rthz = 16.9e-12,
                         .bandwidth_hz = 30e9,
                         .gain_control = TiaGainControl::agc,
                         .output_swing_v = 0.8});
  tia.prepare(lane);
  auto twin_block = tia.clone();
  twin_block->set_noise_enabled(false);
  auto& twin = dynamic_cast<TiaBlock&>(*twin_block);
  const auto x = pam4_current(3e-3, 2e-3, 32768);
  // The noisy path's input carries upstream noise; the twin's does not.
  Signal noisy, clean;
  noisy.domain = clean.domain = Domain::electrical;
  noisy.sample_rate_hz = clean.sample_rate_hz = lane.sample_rate_hz();
  clean.electrical = x;
  noisy.electrical = x;
  for (std::size_t i = 0; i < x.size(); ++i) noisy.electrical[i] += 50e-6 * std::sin(0.37 * i);
  const std::vector<double> noisy_input = noisy.electrical;
  tia.process_twin(noisy, twin, clean);
  CHECK(tia.gain_ohm() == twin.gain_ohm());
  CHECK(tia.gain_ohm() < 2000.0);
  // The noiseless input's gain (V_pp / I_pp of the 2 mA swing); the noisy input alone would
  // have given another (its noise widens the peak-to-peak), so the lanes' noise does not move it.
  CHECK(tia.gain_ohm() == Approx(0.8 / 2e-3).epsilon(1e-12));
  TiaBlock alone(tia.params());
  alone.prepare(lane);
  (void)run_electrical(alone, noisy_input, lane.sample_rate_hz());
  CHECK(alone.gain_ohm() != tia.gain_ohm());
  CHECK_THAT(tia.describe(), Catch::Contains("AGC to 0.8 Vpp"));
}
