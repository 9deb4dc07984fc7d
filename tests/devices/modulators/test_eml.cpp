// Tests of the EML absorber section (devices/modulators/eml.hpp).
#include <catch2/catch.hpp>

#include <cmath>

#include "../tx_helpers.hpp"
#include "devices/modulators/eml.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

/// Output powers after holding each drive value long enough for the RC section to settle
/// (2000 samples ≫ fs/(2π f_RC) ≈ 3.4 samples).
std::vector<std::complex<double>> settled_fields(Eml& eml, const std::vector<double>& drives) {
  std::vector<double> drive;
  for (double v : drives) drive.insert(drive.end(), 2000, v);
  Signal s = test::carrier_chunk(drive, 1e-2);
  eml.process(s);
  std::vector<std::complex<double>> out;
  for (std::size_t k = 0; k < drives.size(); ++k) out.push_back(s.optical[2000 * k + 1999]);
  return out;
}

/// A tabulated absorber, prepared: −0.5, −2 and −8 dB at V_r = 0, 1 and 2 V (bias 1 V), linear
/// in dB between the points, no insertion loss.
Eml tabulated_eml() {
  Eml table(EmlParams{.swing_v = 1.0,
                      .bias_v = 1.0,
                      .table_voltage_v = {0.0, 1.0, 2.0},
                      .table_transmission_db = {-0.5, -2.0, -8.0},
                      .insertion_loss_db = 0.0});
  table.prepare(test::tx_lane());
  return table;
}

}  // namespace

TEST_CASE("EML refuses bad settings and needs a carrier", "[devices][modulators][eml]") {
  CHECK_THROWS_AS(Eml(EmlParams{.extinction_ratio_db = 0.0}), ParameterError);
  CHECK_THROWS_AS(Eml(EmlParams{.swing_v = 2.0, .bias_v = 0.5}), ParameterError);
  CHECK_THROWS_AS(Eml(EmlParams{.bandwidth_hz = -1.0}), ParameterError);
  CHECK_THROWS_AS(Eml(EmlParams{.table_voltage_v = {0.0, 1.0}, .table_transmission_db = {-1.0}}),
                  ParameterError);
  CHECK_THROWS_AS(
      Eml(EmlParams{.table_voltage_v = {1.0, 0.0}, .table_transmission_db = {-1.0, -5.0}}),
      ParameterError);
  Eml eml(EmlParams{});
  CHECK_FALSE(eml.check_input(Domain::electrical, false).empty());
  CHECK(eml.check_input(Domain::electrical, true).empty());
}

TEST_CASE("EML static transmission gives the set extinction ratio at the set swing",
          "[devices][modulators][eml]") {
  // T(V_r) = exp(−(V_r/V_0)^n) with V_0 from ER at the swing (header); ER = T(bias − sw/2)/T(bias
  // + sw/2) in the settled time-domain output.
  for (double er : {4.0, 6.0, 9.0}) {
    Eml eml(EmlParams{.extinction_ratio_db = er, .swing_v = 1.2, .bias_v = 1.8});
    eml.prepare(test::tx_lane());
    const auto out = settled_fields(eml, {-0.6, 0.6});
    CHECK(power_ratio_to_db(std::norm(out[1]) / std::norm(out[0])) == Approx(er).epsilon(1e-9));
  }
  // Tabulated absorber: linear in dB between points.
  Eml table = tabulated_eml();
  const auto out = settled_fields(table, {0.5, -0.5});  // V_r = 0.5 and 1.5 V
  CHECK(power_ratio_to_db(std::norm(out[0]) / 1e-2) == Approx(-1.25).epsilon(1e-9));
  CHECK(power_ratio_to_db(std::norm(out[1]) / 1e-2) == Approx(-5.0).epsilon(1e-9));
}

TEST_CASE("EML ln T is the model's exponent, not the logarithm of the rounded transmission",
          "[devices][modulators][eml]") {
  // T(V_r) = exp(−(V_r/V_0)^n): ln T = −(V_r/V_0)^n exactly as computed (the square as a
  // product for the default n = 2), and the tabulated absorber's ln T = dB·ln10/10. The chirp
  // integrates d ln P from it (process), so ln T carries no rounding of an exp/log round trip.
  Eml eml(EmlParams{.extinction_ratio_db = 6.0, .swing_v = 1.2, .bias_v = 1.8});
  eml.prepare(test::tx_lane());
  for (double v : {-0.6, -0.2, 0.0, 0.3, 0.6, 1.8, 2.5}) {
    const double y = std::max(1.8 - v, 0.0) / eml.v0();
    INFO("drive " << v << " V");
    CHECK(eml.log_transmission(v) == -(y * y));
    CHECK(eml.transmission(v) == std::exp(-(y * y)));
    CHECK(std::log(eml.transmission(v)) == Approx(eml.log_transmission(v)).epsilon(1e-14));
  }
  Eml cubic(EmlParams{
      .extinction_ratio_db = 6.0, .swing_v = 1.2, .bias_v = 1.8, .absorption_exponent = 3.0});
  cubic.prepare(test::tx_lane());
  CHECK(cubic.log_transmission(0.3) == -std::pow(1.5 / cubic.v0(), 3.0));
  Eml table = tabulated_eml();
  CHECK(table.log_transmission(0.5) == Approx(-1.25 * std::log(10.0) / 10.0).epsilon(1e-15));
  CHECK(table.log_transmission(-5.0) == Approx(-8.0 * std::log(10.0) / 10.0).epsilon(1e-15));
  CHECK(table.log_transmission(5.0) == Approx(-0.5 * std::log(10.0) / 10.0).epsilon(1e-15));
}

TEST_CASE("EML chirp follows dφ = (α/2)·d ln P with the set sign and magnitude",
          "[devices][modulators][eml]") {
  // Koyama & Iga 1988: the instantaneous frequency offset is (α/4π)·d ln P/dt, so rising power
  // with α > 0 shifts the frequency up (blue). A slow ramp of the drive through 0 V: the measured
  // α = 2Δφ/Δ ln P at the bias equals the set α(0).
  for (double alpha : {0.8, -0.4}) {
    Eml eml(EmlParams{.chirp_alpha = alpha, .chirp_alpha_slope_per_v = -0.5});
    eml.prepare(test::tx_lane());
    std::vector<double> drive(4001);
    for (std::size_t i = 0; i < drive.size(); ++i) {
      drive[i] = -0.5 + static_cast<double>(i) / 4000.0;
    }
    Signal s = test::carrier_chunk(drive, 1e-2);
    eml.process(s);
    // Around the sample where the RC-delayed drive crosses 0 V.
    const std::size_t i = 2000 + 3;
    const double dphi = std::arg(s.optical[i + 1] * std::conj(s.optical[i]));
    const double dlnp = std::log(std::norm(s.optical[i + 1]) / std::norm(s.optical[i]));
    CHECK(dlnp > 0.0);
    CHECK(2.0 * dphi / dlnp == Approx(alpha).margin(0.01));  // α changes 0.5/V·1.5 mV per sample
    CHECK((dphi > 0.0) == (alpha > 0.0));
    CHECK(eml.chirp_alpha(0.2) == Approx(alpha + 0.1));  // α rises as reverse bias falls
  }
}

TEST_CASE("EML copies and resets deterministically; bias power = absorbed photocurrent × bias",
          "[devices][modulators][eml]") {
  Eml eml(EmlParams{});
  eml.prepare(test::tx_lane());
  auto copy = eml.clone();
  const auto drive = test::pam4_drive(256, 16, 0.5);
  Signal a = test::carrier_chunk(drive, 1e-2), b = a, c = a;
  eml.process(a);
  copy->process(b);
  eml.reset();
  eml.process(c);
  for (std::size_t i = 0; i < a.optical.size(); ++i) {
    REQUIRE(a.optical[i] == b.optical[i]);
    REQUIRE(a.optical[i] == c.optical[i]);
  }
  // Hand calculation: 10 mW carrier, T(bias) absorbed fraction 1 − T(0), R = qλ/hc at 1311 nm
  // (1.0574 A/W), × 1.5 V.
  const double absorbed = 1e-2 * (1.0 - eml.transmission(0.0));
  const auto items = eml.power();
  REQUIRE(items.size() == 1);
  CHECK(items[0].category == PowerCategory::modulator);
  CHECK(items[0].power_w == Approx(absorbed * 1.05737 * 1.5).epsilon(1e-4));
}
