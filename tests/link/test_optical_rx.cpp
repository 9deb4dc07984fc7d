#include <catch2/catch.hpp>

#include <cmath>
#include <map>

#include "devices/receivers/tia.hpp"
#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "phy/analysis/statistics.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

// The issue's figure for the thermal-limited sensitivity.
constexpr double sensitivity_tolerance_db = 0.2;
// σ from 2048 decisions per level: ~1.6 % standard error; 6 % is about four of those.
constexpr double noise_tolerance = 0.06;

const char* thermal_limited_yaml = R"(
name: thermal-limited
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192, seed: 3}
chain:
  - block: laser
    kind: cw
    power: 0 dBm
    rin: -200 dB/Hz
    linewidth: 0 Hz
  - block: intensity_modulator
    extinction_ratio: 30 dB
  - block: optical_attenuator
    loss: 3 dB
  - block: photodetector
    ideal: true
    responsivity: 0.8 A/W
  - block: tia
    noise_density: 16 pA/rtHz
    bandwidth: 53.125 GHz
    order: 1
analysis: {target_ber: 2.4e-4, sensitivity: true, monte_carlo: {symbols: 8192, min_errors: 100}}
)";

}  // namespace

TEST_CASE("Thermal-limited PAM4 sensitivity is OMA = 6·Q·σ/R with Q = Q⁻¹(4·BER/3) (Gray coding)",
          "[link][optical_rx][sensitivity][long]") {
  // PAM4 with equally spaced levels, Gray coded, errors only to adjacent levels:
  // SER = 2(1 − 1/4)·Q(d/2σ), BER = SER/2 = (3/4)·Q(d/2σ), d = OMA·R/3, so
  // OMA = 6·σ·Q⁻¹(4·BER/3)/R; σ = i_n·√B_n with B_n the TIA's noise bandwidth.
  const LinkConfig config = parse_link_config(parse_yaml(thermal_limited_yaml, "<test>"));
  const LaneResult result = run_lane(config, 0);
  REQUIRE(result.optical_rx.has_value());
  const OpticalRxResult& rx = *result.optical_rx;

  TiaBlock tia(TiaParams{.noise_density_a_per_rthz = 16e-12, .bandwidth_hz = 53.125e9, .order = 1});
  tia.prepare(lane_context(config, 0));
  const double sigma = 16e-12 * std::sqrt(tia.noise_bandwidth_hz());
  const double q = q_inverse(4.0 * 2.4e-4 / 3.0);
  const double expected_dbm = w_to_dbm(6.0 * q * sigma / 0.8);
  INFO("expected " << expected_dbm << " dBm, σ = " << sigma * 1e6 << " µA, Q = " << q);
  CHECK(rx.sensitivity_oma_dbm == Approx(expected_dbm).margin(sensitivity_tolerance_db));

  // Received OMA: 0 dBm carrier, transmission 1/ER … 1 with ER 30 dB, 3 dB loss:
  // P1 − P0 = 1 mW·(1 − 1/ER) − 3 dB.
  CHECK(rx.oma_outer_dbm == Approx(w_to_dbm(1e-3 * (1.0 - 1e-3)) - 3.0).margin(0.02));
  CHECK(rx.margin_db == Approx(rx.oma_outer_dbm - rx.sensitivity_oma_dbm).margin(1e-9));
  CHECK(rx.channel_loss_db == Approx(3.0));

  // Noise budget: thermal is i_n·√B_n referred to the photodetector; nothing else is on.
  auto noise = [&](const std::string& kind) {
    for (const auto& [k, v] : rx.noise_rms_a) {
      if (k == kind) return v;
    }
    FAIL("no noise kind " << kind);
    return 0.0;
  };
  CHECK(noise("thermal") == Approx(sigma).epsilon(noise_tolerance));
  CHECK(noise("shot") == 0.0);
  CHECK(noise("mpi") == 0.0);
  CHECK(noise("total") == Approx(sigma).epsilon(noise_tolerance));

  // The waterfall is monotonic in received OMA and crosses the target; the Monte-Carlo spot check
  // at the sensitivity agrees with the semi-analytic BER within its counting error.
  REQUIRE(rx.waterfall_ber.size() >= 5);
  CHECK(rx.waterfall_ber.front() > 2.4e-4);
  CHECK(rx.waterfall_ber.back() < 2.4e-4);
  CHECK(rx.spot_check_bits > 0);
  CHECK(rx.spot_check_ber_semi_analytic == Approx(2.4e-4).epsilon(0.3));
}

namespace {

std::string dispersion_link(const std::string& wavelength, const std::string& length) {
  return R"(
name: penalty
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192, seed: 5}
lanes: {count: 1, wavelength: )" +
         wavelength + R"(}
chain:
  - {block: laser, kind: cw, power: 3 dBm, rin: -160 dB/Hz, linewidth: 0 Hz}
  - {block: intensity_modulator, extinction_ratio: 20 dB}
  - {block: fiber, length: )" +
         length + R"(}
  - {block: photodetector, responsivity: 0.8 A/W}
  - {block: tia, noise_density: 16 pA/rtHz, bandwidth: 20 GHz}
analysis: {target_ber: 2.4e-4, sensitivity: true, monte_carlo: false}
)";
}

double dispersion_penalty(const std::string& wavelength, const std::string& length) {
  const LinkConfig config =
      parse_link_config(parse_yaml(dispersion_link(wavelength, length), "<test>"));
  const LaneResult result = run_lane(config, 0);
  REQUIRE(result.optical_rx.has_value());
  for (const auto& [name, db] : result.optical_rx->penalties_db) {
    if (name == "dispersion") return db;
  }
  FAIL("no dispersion penalty reported");
  return 0.0;
}

}  // namespace

TEST_CASE(
    "The dispersion power penalty grows with |D|·L and vanishes near the zero-dispersion "
    "wavelength",
    "[link][optical_rx][penalty]") {
  // Power penalty = the rise in required received power with the impairment (Agrawal,
  // Fiber-Optic Communication Systems, §5.4); here the fibre replaced by a pure loss of equal dB.
  // G.652 at 1550 nm: D ≈ 17 ps/nm/km, β2 ≈ −21.7 ps²/km; the IM response of 10 km is
  // cos(2π²·β2·L·f²) = 0.75 at the 13.3 GHz Nyquist frequency (first null 19 GHz), so 26.6 GBd
  // PAM4 pays dBs. At 1311 nm |D| < 0.5 ps/nm/km: 2 km costs nothing measurable. The resolution
  // of a penalty is ~0.1 dB: each sensitivity comes from σ measured on 2048 decisions per level
  // (1.6 % standard error, ≈ 0.07 dB), and the two searches see different noise realisations.
  const double near_zero = dispersion_penalty("1311 nm", "2 km");
  const double long_c = dispersion_penalty("1550 nm", "10 km");
  CHECK(std::abs(near_zero) < 0.15);
  CHECK(long_c > 1.0);
}

TEST_CASE("Received OMA is the steady-state OMA_outer, unshrunk by the receiver's ISI",
          "[link][optical_rx][oma]") {
  // IEEE 802.3 cl. 121.8.4 measures OMA_outer = P3 − P0 over the central 2 UI of long runs, i.e.
  // after the ISI has settled, so a passive channel passes it on less only its loss: 0 dBm carrier,
  // transmission 1/ER … 1 with ER 30 dB, 3 dB loss give P3 − P0 = 1 mW·(1 − 1/ER) − 3 dB however
  // slow the modulator and photodetector. Here both are band-limited to ~0.4·Rs, where the
  // level means at the sampling instant read 0.4 dB less (−3.40 dBm: the figure before this test).
  const std::string yaml = R"(
name: oma-isi
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 8192, seed: 3}
chain:
  - {block: laser, kind: cw, power: 0 dBm, rin: -200 dB/Hz, linewidth: 0 Hz}
  - {block: intensity_modulator, extinction_ratio: 30 dB, bandwidth: 12 GHz}
  - {block: optical_attenuator, loss: 3 dB}
  - {block: photodetector, ideal: true, responsivity: 0.8 A/W, bandwidth: 10 GHz}
  - {block: tia, noise_density: 16 pA/rtHz, bandwidth: 53.125 GHz, order: 1}
analysis: {target_ber: 2.4e-4, sensitivity: false, monte_carlo: false}
)";
  const LinkConfig config = parse_link_config(parse_yaml(yaml, "<test>"));
  const LaneResult result = run_lane(config, 0);
  REQUIRE(result.optical_rx.has_value());
  const double expected_dbm = w_to_dbm(1e-3 * (1.0 - 1e-3)) - 3.0;
  CHECK(result.optical_rx->oma_outer_dbm == Approx(expected_dbm).margin(0.02));
  REQUIRE(result.tx.has_value());
  CHECK(result.optical_rx->oma_outer_dbm ==
        Approx(w_to_dbm(result.tx->oma_outer_w) - result.optical_rx->channel_loss_db).margin(0.05));
}

TEST_CASE(
    "The noise budget lists laser phase noise through a ring; its variance scales with the "
    "linewidth and the kinds add up to the total",
    "[link][optical_rx][noise_budget]") {
  // A CW laser's Lorentzian linewidth Δν is white frequency noise of one-sided PSD Δν/π (Wiener
  // phase, increments of variance 2π·Δν·dt). A ring on its slope turns frequency into intensity
  // linearly (|δν| ≪ its FWHM), so the photocurrent noise it causes has variance ∝ Δν: 20 MHz
  // against 5 MHz is 4× the variance, the same seed drawing the same increments scaled by √Δν.
  // Independent kinds add in power: Σ σ_k² = σ_total² up to the sample cross-covariances, which
  // are O(1/√N) of the product terms (N = 4096 decisions here: 1.6 %).
  const char* ring_yaml = R"(
name: ring-phase-noise
signal: {format: pam4, symbol_rate: 26.5625 GBd, samples_per_symbol: 8, pattern: prbs13q,
         symbols: 4096, seed: 3}
chain:
  - block: laser
    kind: cw
    power: 10 dBm
    rin: -200 dB/Hz
    linewidth: 20 MHz
  - block: mrm
  - block: photodetector
    ideal: true
    responsivity: 0.8 A/W
  - block: tia
    noise_density: 2 pA/rtHz
    bandwidth: 30 GHz
analysis: {target_ber: 2.4e-4, monte_carlo: false}
)";
  auto budget = [&](const std::string& linewidth) {
    ConfigNode root = parse_yaml(ring_yaml, "<test>");
    apply_override(root, "chain.laser.linewidth=" + linewidth);
    const LaneResult result = run_lane(parse_link_config(root), 0);
    REQUIRE(result.optical_rx.has_value());
    std::map<std::string, double> kinds(result.optical_rx->noise_rms_a.begin(),
                                        result.optical_rx->noise_rms_a.end());
    return kinds;
  };
  const auto none = budget("0 Hz");
  const auto five = budget("5 MHz");
  const auto twenty = budget("20 MHz");
  for (const char* kind : {"phase", "jitter", "other"}) CHECK(none.count(kind) == 1);
  CHECK(none.at("phase") == 0.0);
  CHECK(none.at("jitter") == 0.0);  // no block here adds jitter or a transmitter SNDR
  CHECK(none.at("other") == 0.0);
  // Linear FM-to-AM: the variance ratio is the linewidth ratio (to the ring's second-order
  // curvature over δν/FWHM ≈ 1e-3, far inside 1 %).
  CHECK(std::pow(twenty.at("phase") / five.at("phase"), 2) == Approx(4.0).epsilon(0.01));
  // Phase noise dominates at 20 MHz; the kinds add in power to the total (3 × 1.6 %).
  CHECK(twenty.at("phase") > 10.0 * twenty.at("thermal"));
  double sum = 0.0;
  for (const auto& [kind, amps] : twenty) {
    if (kind != "total") sum += amps * amps;
  }
  CHECK(std::sqrt(sum) == Approx(twenty.at("total")).epsilon(0.05));
}
