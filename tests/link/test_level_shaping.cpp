// Transmit level shaping (link/level_shaping.hpp): the source's inner PAM4 levels are set so the
// transmitter's settled optical levels are equally spaced. Checked against the closed form of
// the EML's exponential absorption edge (devices/modulators/eml.hpp):
//   T(V_r) = exp(−(V_r/V_0)^n),  V_0 = ((V_hi^n − V_lo^n)/(ER_dB·ln10/10))^{1/n},
//   V_r = bias − drive,
// whose inverse gives the drive of a wanted transmission in closed form:
//   V_r(T) = V_0·(−ln T)^{1/n}.
// Inner level k is the drive with T_k = T_0 + (k/3)(T_3 − T_0), so the static RLM (IEEE 802.3
// cl. 120.5.11.2.2) is 1, while ER = T_3/T_0 and OMA = P_in·IL·(T_3 − T_0) are unchanged.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "devices/drivers/driver.hpp"
#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/level_shaping.hpp"
#include "link/link_config.hpp"
#include "link/segments.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

// The EML of the tier presets: ER 6 dB at 1 Vpp about 1.5 V reverse bias, n = 2, IL 1 dB.
constexpr double er_db = 6.0, swing = 1.0, bias = 1.5, exponent = 2.0, il_db = 1.0;
constexpr double carrier_w = 1e-3;  // 0 dBm

double v0() {
  const double v_lo = bias - swing / 2.0, v_hi = bias + swing / 2.0;
  return std::pow(
      (std::pow(v_hi, exponent) - std::pow(v_lo, exponent)) / (er_db * std::log(10.0) / 10.0),
      1.0 / exponent);
}
/// Static transmission at the EML's drive v (closed form).
double transmission(double drive_v) {
  return std::exp(-std::pow((bias - drive_v) / v0(), exponent));
}
/// The EML drive giving transmission t (closed-form inverse).
double drive_for(double t) {
  return bias - v0() * std::pow(-std::log(t), 1.0 / exponent);
}

/// RLM from four levels (IEEE 802.3 cl. 120.5.11.2.2, as phy/analysis/tdecq.hpp computes it).
double rlm(const std::array<double, 4>& p) {
  const double mid = 0.5 * (p[0] + p[3]);
  const double es1 = (p[1] - mid) / (p[0] - mid), es2 = (p[2] - mid) / (p[3] - mid);
  return std::min({3.0 * es1, 3.0 * es2, 2.0 - 3.0 * es1, 2.0 - 3.0 * es2});
}

std::string lane_yaml(const std::string& driver, const std::string& eml_bandwidth, bool shaping) {
  return R"(
name: level-shaping
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 16, pattern: prbs13q,
         symbols: 12288, seed: 1, swing: 1 V, level_shaping: )" +
         std::string(shaping ? "true" : "false") + R"(}
chain:)" +
         driver + R"(
  - block: laser
    kind: cw
    power: 0 dBm
    rin: -200 dB/Hz
    linewidth: 0 Hz
  - block: eml
    extinction_ratio: 6 dB
    swing: 1 V
    bias: 1.5 V
    absorption_exponent: 2
    insertion_loss: 1 dB
    chirp_alpha: 0
    chirp_alpha_slope: 0
    bandwidth: )" +
         eml_bandwidth +
         R"(
  - block: photodetector
    ideal: true
analysis: {monte_carlo: false, probe_uis: 64}
)";
}

LinkConfig config_of(const std::string& yaml) {
  return parse_link_config(parse_yaml(yaml, "<test>"));
}

}  // namespace

TEST_CASE(
    "Level shaping of an EML: the inner drive levels are the closed-form inverse of "
    "exp(-(V_r/V_0)^n), the static RLM is 1, ER and OMA are unchanged",
    "[link][level_shaping]") {
  const LinkConfig config = config_of(lane_yaml("", "40 GHz", true));
  const auto chain = build_chain(config, 0);
  const ShapedLevels shaped = shape_pam4_levels(chain, lane_context(config, 0), 1.0);
  CHECK(shaped.transmitter == 1u);  // laser, eml
  const double t0 = transmission(-0.5), t3 = transmission(0.5);
  const double loss = db_to_power_ratio(-il_db);
  // The root is found to 1e-14 of the optical span, on a curve of slope ≈ span/(0.3 V) at the
  // inner levels: ≈ 3e-15 V; the settled power is the static curve to rounding (the RC pole has
  // settled to e^-100 after 36 symbols). 1e-12 V bounds both.
  constexpr double volts = 1e-12;
  CHECK(shaped.drive_v[0] == -0.5);
  CHECK(shaped.drive_v[3] == 0.5);
  for (int k = 1; k <= 2; ++k) {
    const double t_k = t0 + k / 3.0 * (t3 - t0);
    INFO("level " << k);
    CHECK(shaped.drive_v[static_cast<std::size_t>(k)] == Approx(drive_for(t_k)).margin(volts));
    CHECK(shaped.power_w[static_cast<std::size_t>(k)] ==
          Approx(carrier_w * loss * t_k).epsilon(1e-12));
  }
  // Over this swing T(v) is convex (V_r/V_0 from 0.68 to 1.36, above 1/√2), so equally spaced
  // drive compresses the lower levels: both inner drive levels move up, to −0.082 and +0.226 V
  // (from ∓1/6 V), and the static RLM becomes 1.
  CHECK(shaped.drive_v[1] > -1.0 / 6.0);
  CHECK(shaped.drive_v[2] > 1.0 / 6.0);
  CHECK(rlm(shaped.power_w) == Approx(1.0).margin(1e-12));
  // ER and OMA: the outer levels are the unshaped ones.
  CHECK(10.0 * std::log10(shaped.power_w[3] / shaped.power_w[0]) == Approx(er_db).margin(1e-12));
  CHECK(shaped.power_w[3] - shaped.power_w[0] ==
        Approx(carrier_w * loss * (t3 - t0)).epsilon(1e-12));
  // Unshaped, the same curve's static RLM (closed form) is 0.521, the low end of what the EML
  // tiers reported (0.52-0.64; their drive is band-limited).
  const double unshaped = rlm(
      {transmission(-0.5), transmission(-1.0 / 6.0), transmission(1.0 / 6.0), transmission(0.5)});
  CHECK(unshaped == Approx(0.5209489).margin(1e-6));
}

TEST_CASE(
    "Level shaping through a linear driver: the source levels are the EML's closed-form drive "
    "divided by the driver's DC gain",
    "[link][level_shaping]") {
  // Driver gain 6 dB (×1.995) and 45 GHz: the 1 Vpp source reaches the EML as ≈ 2 Vpp, so the
  // EML's own swing is set to 2 V about 1.5 V bias (V_r from 0.5 to 2.5 V) for this test.
  std::string yaml = lane_yaml(R"(
  - block: driver
    gain: 6 dB
    bandwidth: 45 GHz
    swing: 2.2 V)",
                               "40 GHz", true);
  yaml.replace(yaml.find("    swing: 1 V\n    bias"), std::string("    swing: 1 V").size(),
               "    swing: 2 V");
  const LinkConfig config = config_of(yaml);
  const auto chain = build_chain(config, 0);
  const ShapedLevels shaped = shape_pam4_levels(chain, lane_context(config, 0), 1.0);
  CHECK(shaped.transmitter == 2u);  // driver, laser, eml
  // The driver's DC gain: G times the sum of its Bessel FIR's taps (1 to truncation).
  double fir_dc = 0.0;
  for (double t : dynamic_cast<const Driver&>(*chain[0]).taps()) fir_dc += t;
  const double gain = db_to_field_ratio(6.0) * fir_dc;
  // The EML of this test: ER 6 dB at 2 Vpp about 1.5 V.
  const double v_lo = 0.5, v_hi = 2.5;
  const double v0_2 = std::sqrt((v_hi * v_hi - v_lo * v_lo) / (er_db * std::log(10.0) / 10.0));
  auto t_of = [&](double drive) { return std::exp(-std::pow((bias - drive) / v0_2, 2.0)); };
  const double t0 = t_of(-0.5 * gain), t3 = t_of(0.5 * gain);
  for (int k = 1; k <= 2; ++k) {
    const double t_k = t0 + k / 3.0 * (t3 - t0);
    const double drive = bias - v0_2 * std::sqrt(-std::log(t_k));
    INFO("level " << k);
    CHECK(shaped.drive_v[static_cast<std::size_t>(k)] == Approx(drive / gain).margin(1e-12));
  }
  CHECK(rlm(shaped.power_w) == Approx(1.0).margin(1e-12));
}

TEST_CASE(
    "A lane with level shaping measures RLM 1 on the waveform, and without it the closed-form "
    "static RLM of the absorption edge",
    "[link][level_shaping][tx]") {
  // A near bandwidth-free EML (1 THz RC): the waveform's levels are the static curve's. Levels are
  // averages over runs of three equal symbols after the reference receiver (Rs/2 Bessel-Thomson),
  // whose tail two symbols away is below 1e-3 of a step, and PRBS13Q's level counts differ by one
  // in 2048: 0.2 % bounds both (tests/link/test_tx_metrics.cpp).
  constexpr double tolerance = 2e-3;
  const double t0 = transmission(-0.5), t3 = transmission(0.5);
  const double loss = db_to_power_ratio(-il_db);
  const double unshaped = rlm(
      {transmission(-0.5), transmission(-1.0 / 6.0), transmission(1.0 / 6.0), transmission(0.5)});
  for (const bool shaping : {false, true}) {
    const LinkConfig config = config_of(lane_yaml("", "1 THz", shaping));
    const LaneResult r = run_lane_with_chain(config, 0, build_chain(config, 0), all_noise, true);
    REQUIRE(r.tx.has_value());
    INFO("shaping " << shaping << ": RLM " << r.tx->rlm << ", " << r.tx->method);
    CHECK(r.tx->rlm == Approx(shaping ? 1.0 : unshaped).margin(tolerance));
    CHECK(r.tx->extinction_ratio_db == Approx(er_db).margin(0.01));
    CHECK(r.tx->oma_outer_w == Approx(carrier_w * loss * (t3 - t0)).epsilon(tolerance));
    CHECK((r.tx->method.find("source levels shaped") != std::string::npos) == shaping);
  }
}

TEST_CASE("A retimer's tx_level_shaping shapes the levels of the segment its DAC drives",
          "[link][level_shaping][segments]") {
  const std::string yaml = R"(
name: shaped-retimer
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096}
chain:
  - block: serdes_tx
  - block: serdes_rx
  - block: retimer
    tx_level_shaping: true
  - block: laser
    kind: cw
    power: 0 dBm
  - block: eml
  - block: photodetector
    ideal: true
analysis: {monte_carlo: false}
)";
  const std::vector<LinkConfig> segments = split_segments(config_of(yaml));
  REQUIRE(segments.size() == 2u);
  CHECK_FALSE(segments[0].signal.level_shaping);
  CHECK(segments[1].signal.level_shaping);
  std::string off = yaml;
  off.replace(off.find("tx_level_shaping: true"), std::string("tx_level_shaping: true").size(),
              "tx_level_shaping: false");
  CHECK_FALSE(split_segments(config_of(off)).at(1).signal.level_shaping);
}

TEST_CASE("Level shaping is a PAM4 setting", "[link][level_shaping]") {
  std::string yaml = lane_yaml("", "40 GHz", true);
  yaml.replace(yaml.find("format: pam4"), std::string("format: pam4").size(), "format: nrz");
  yaml.replace(yaml.find("pattern: prbs13q"), std::string("pattern: prbs13q").size(),
               "pattern: prbs13");
  CHECK_THROWS_WITH(config_of(yaml), Catch::Contains("level_shaping"));
}

TEST_CASE("Level shaping without an optical transmitter in its segment is a config error",
          "[link][level_shaping]") {
  // The first segment: a copper lane has nothing to shape for.
  const std::string copper = R"(
name: copper
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096,
         level_shaping: true}
chain:
  - block: serdes_tx
  - block: serdes_rx
analysis: {monte_carlo: false}
)";
  CHECK_THROWS_WITH(config_of(copper), Catch::Contains("signal.level_shaping"));
  // A retimer whose DAC drives a host-facing copper segment.
  const std::string host_facing = R"(
name: host-facing
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 8, symbols: 4096}
chain:
  - block: laser
    kind: cw
    power: 0 dBm
  - block: eml
  - block: photodetector
    ideal: true
  - block: retimer
    tx_level_shaping: true
  - block: serdes_tx
  - block: serdes_rx
analysis: {monte_carlo: false}
)";
  CHECK_THROWS_WITH(config_of(host_facing), Catch::Contains("tx_level_shaping"));
}
