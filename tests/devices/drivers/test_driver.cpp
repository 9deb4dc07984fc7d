// Tests of the modulator driver (devices/drivers/driver.hpp).
#include <catch2/catch.hpp>

#include <cmath>
#include <numeric>

#include "../tx_helpers.hpp"
#include "devices/drivers/driver.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {
/// Variance estimate from 2^16 correlated samples (bandwidth ≪ fs/2): a few % standard error.
constexpr double noise_tolerance = 0.08;

Signal electrical(std::vector<double> v, std::int64_t index = 0) {
  Signal s;
  s.electrical = std::move(v);
  s.chunk_index = index;
  return s;
}
}  // namespace

TEST_CASE("Driver refuses bad settings and optical input", "[devices][drivers][driver]") {
  CHECK_THROWS_AS(Driver(DriverParams{.bandwidth_hz = 0.0}), ParameterError);
  CHECK_THROWS_AS(Driver(DriverParams{.swing_v = -1.0}), ParameterError);
  CHECK_THROWS_AS(Driver(DriverParams{.noise_density_v_per_rthz = -1e-9}), ParameterError);
  CHECK_THROWS_AS(Driver(DriverParams{.enob = 0.5}), ParameterError);
  CHECK_THROWS_AS(Driver(DriverParams{.power_w = -1.0}), ParameterError);
  Driver d(DriverParams{});
  CHECK_FALSE(d.check_input(Domain::optical, false).empty());
  CHECK(d.check_input(Domain::electrical, true).empty());
}

TEST_CASE("Linear driver: DC gain G, clipping at ±swing/2, power as set",
          "[devices][drivers][driver]") {
  Driver d(DriverParams{.gain_db = 6.0, .swing_v = 2.0, .power_w = 0.12});
  d.prepare(test::tx_lane());
  d.set_noise_enabled(false);
  std::vector<double> in(3000, 0.3);
  in.insert(in.end(), 3000, 1.5);
  Signal s = electrical(in);
  d.process(s);
  // The FIR of the Bessel response keeps its DC gain to about 1e-4 (truncation).
  CHECK(s.electrical[2999] == Approx(0.3 * std::pow(10.0, 6.0 / 20.0)).epsilon(1e-3));
  CHECK(s.electrical[5999] == Approx(1.0));  // clipped
  CHECK(d.power()[0].power_w == 0.12);
  CHECK(d.power()[0].category == PowerCategory::driver);
}

TEST_CASE("Linear driver noise: output variance G²·e_n²·(fs/2)·Σh²", "[devices][drivers][driver]") {
  // White input noise of one-sided density e_n through the FIR h: σ² = G² e_n² (fs/2) Σh².
  const LaneContext lane = test::tx_lane();
  Driver d(DriverParams{.gain_db = 10.0, .swing_v = 100.0, .noise_density_v_per_rthz = 20e-9});
  d.prepare(lane);
  double sum = 0.0, sum2 = 0.0;
  std::size_t n = 0;
  for (int chunk = 0; chunk < 8; ++chunk) {
    Signal s = electrical(std::vector<double>(8192, 0.0), chunk);
    d.process(s);
    if (chunk == 0) continue;
    for (double v : s.electrical) {
      sum += v;
      sum2 += v * v;
      ++n;
    }
  }
  const double var = sum2 / n - (sum / n) * (sum / n);
  const auto& h = d.taps();
  const double energy = std::inner_product(h.begin(), h.end(), h.begin(), 0.0);
  const double expected = 10.0 * 20e-9 * 20e-9 * lane.sample_rate_hz() / 2.0 * energy;
  CHECK(var == Approx(expected).epsilon(noise_tolerance));
}

TEST_CASE("DAC quantisation noise gives SNR = 6.02·ENOB + 1.76 dB for a full-scale sine",
          "[devices][drivers][driver]") {
  Driver dac(DriverParams{.kind = DriverKind::dac, .gain_db = 0.0, .swing_v = 1.0, .enob = 6.0});
  dac.prepare(test::tx_lane());
  const double signal_power = 1.0 / 8.0;  // (FS/2)²/2
  CHECK(power_ratio_to_db(signal_power / std::pow(dac.noise_sigma_v(), 2)) ==
        Approx(6.02 * 6.0 + 1.76).margin(0.01));
  // The noise appears only when quantisation noise is enabled, and clones are identical.
  auto copy = dac.clone();
  Signal a = electrical(std::vector<double>(4096, 0.1), 2), b = a, c = a;
  dac.process(a);
  copy->process(b);
  dac.reset();
  dac.set_noise_mask(static_cast<unsigned>(NoiseKind::thermal));
  dac.process(c);
  for (std::size_t i = 0; i < a.electrical.size(); ++i) REQUIRE(a.electrical[i] == b.electrical[i]);
  CHECK(c.electrical[3000] == Approx(0.1).epsilon(1e-3));
  CHECK(a.electrical[3000] != Approx(0.1).epsilon(1e-3));
}
