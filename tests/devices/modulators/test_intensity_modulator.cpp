// Tests of the ideal intensity modulator (devices/modulators/intensity_modulator.hpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "../tx_helpers.hpp"
#include "devices/modulators/intensity_modulator.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

using namespace optilane;

TEST_CASE("Intensity modulator refuses bad settings and a missing carrier",
          "[devices][modulators][intensity_modulator]") {
  CHECK_THROWS_AS(IntensityModulator({.extinction_ratio_db = 0.0}), ParameterError);
  CHECK_THROWS_AS(IntensityModulator({.swing_v = -1.0}), ParameterError);
  CHECK_THROWS_AS(IntensityModulator({.insertion_loss_db = -2.0}), ParameterError);
  CHECK_THROWS_AS(IntensityModulator({.bandwidth_hz = 0.0}), ParameterError);
  IntensityModulator m({});
  CHECK_FALSE(m.check_input(Domain::electrical, false).empty());
  CHECK_FALSE(m.check_input(Domain::optical, false).empty());
  CHECK(m.check_input(Domain::electrical, true).empty());
  CHECK(m.output_domain(Domain::electrical) == Domain::optical);
}

TEST_CASE(
    "Intensity modulator gives the set extinction ratio at its swing, linear in power and "
    "chirp-free",
    "[devices][modulators][intensity_modulator]") {
  IntensityModulator m({.extinction_ratio_db = 5.0, .swing_v = 0.8, .insertion_loss_db = 2.0});
  m.prepare(test::tx_lane());
  Signal s = test::carrier_chunk({-0.4, -0.2, 0.0, 0.2, 0.4}, 1e-3);
  m.process(s);
  CHECK(s.domain == Domain::optical);
  CHECK_FALSE(s.has_carrier);
  std::vector<double> p;
  for (const auto& e : s.optical) {
    p.push_back(std::norm(e));
    CHECK(std::arg(e) == Approx(0.0).margin(1e-15));  // chirp-free
  }
  CHECK(power_ratio_to_db(p[4] / p[0]) == Approx(5.0).epsilon(1e-12));
  CHECK(p[4] == Approx(1e-3 * std::pow(10.0, -0.2)).epsilon(1e-12));  // IL on the "one" level
  // Linear in power: equal drive steps give equal power steps.
  CHECK(p[1] - p[0] == Approx(p[4] - p[3]).epsilon(1e-12));
  CHECK(p[2] - p[1] == Approx(p[3] - p[2]).epsilon(1e-12));
}

TEST_CASE(
    "Intensity modulator copies and resets deterministically, bandwidth delays by the "
    "filter centre",
    "[devices][modulators][intensity_modulator]") {
  IntensityModulator m({.bandwidth_hz = 30e9});
  m.prepare(test::tx_lane());
  auto copy = m.clone();
  const auto drive = test::pam4_drive(256, 16, 0.5);
  Signal a = test::carrier_chunk(drive, 1e-3), b = a, c = a;
  m.process(a);
  copy->process(b);
  m.reset();
  m.process(c);
  for (std::size_t i = 0; i < a.optical.size(); ++i) {
    REQUIRE(a.optical[i] == b.optical[i]);
    REQUIRE(a.optical[i] == c.optical[i]);
  }
  CHECK(m.latency_samples() >= 0.0);
}

TEST_CASE("Blocks holding an unused (empty) filter can be cloned",
          "[devices][modulators][intensity_modulator]") {
  // Regression: copying a default FftPlan threw "FFT size must be > 0", so every chain with a
  // flat-RIN laser or an unlimited-bandwidth modulator failed when the runner cloned it.
  IntensityModulator m({});
  m.prepare(test::tx_lane());
  auto copy = m.clone();
  Signal s = test::carrier_chunk({0.5, -0.5}, 1e-3);
  copy->process(s);
  CHECK(std::norm(s.optical[0]) > std::norm(s.optical[1]));
}
