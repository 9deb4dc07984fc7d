// Transmitter figures of a lane (link/lane_runner.cpp, DESIGN.md §4 `tx`): the noiseless field at
// the first block whose output is optical, analysed by phy/analysis/tdecq over a pattern period.
#include <catch2/catch.hpp>

#include <cmath>
#include <numbers>
#include <string>

#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/report.hpp"
#include "phy/filter_design.hpp"
#include "phy/units.hpp"

using namespace optilane;

namespace {

// Levels are taken after the reference receiver (Rs/2 Bessel-Thomson): P1, P2 (and RLM's four)
// as averages over runs of three equal symbols, P0 and P3 over the central 2 UI of PRBS13Q's runs
// of 7 threes and 6 zeros (cl. 121.8.4, settled further still); the filter's tail two symbols away
// is below 1e-3 of a step, and PRBS13Q's level counts differ by one in 2048, so 0.2 % bounds what
// is left of both.
constexpr double relative_tolerance = 2e-3;

/// A laser, `modulator` and an ideal photodetector, run for `symbols` PRBS13Q symbols: 12288
/// hold one whole period (8191) after the start-up, which the transmitter analysis reads on the
/// run's own capture; 4096 do not, and it reads a noiseless pre-pass of the run's symbols.
std::string chain_yaml(const std::string& modulator, const std::string& swing,
                       int symbols = 12288) {
  return R"(
name: tx-metrics
signal: {format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: 16, pattern: prbs13q,
         symbols: )" +
         std::to_string(symbols) + R"(, seed: 1, swing: )" + swing + R"(}
chain:
  - block: laser
    kind: cw
    power: 0 dBm
    rin: -200 dB/Hz
    linewidth: 0 Hz
)" + modulator +
         R"(
  - block: photodetector
    ideal: true
analysis: {monte_carlo: false, probe_uis: 64}
)";
}

LaneResult run_tx(const std::string& yaml) {
  const LinkConfig config = parse_link_config(parse_yaml(yaml, "<test>"));
  return run_lane_with_chain(config, 0, build_chain(config, 0), all_noise, true);
}

}  // namespace

TEST_CASE(
    "An ideal intensity modulator's Tx figures equal the closed form: ER exact, "
    "OMA = 2·P_ave·(ER−1)/(ER+1), RLM = 1, on the run's capture and on the pre-pass",
    "[link][tx]") {
  const int symbols = GENERATE(12288, 4096);
  INFO(symbols << " symbols");
  const LaneResult r = run_tx(chain_yaml(R"(
  - block: intensity_modulator
    extinction_ratio: 6 dB)",
                                         "1 V", symbols));
  REQUIRE(r.tx.has_value());
  const TxResult& tx = *r.tx;
  CHECK(tx.block == "intensity_modulator");
  CHECK(tx.whole_period);
  CHECK(tx.symbols == 8191);
  CHECK(tx.pre_pass == (symbols < 8191));
  const double er = db_to_power_ratio(6.0);
  // T(±V/2) = 1 and 1/ER of the 1 mW carrier (intensity_modulator.hpp).
  CHECK(tx.levels_w.at(3) == Approx(1e-3).epsilon(relative_tolerance));
  CHECK(tx.levels_w.at(0) == Approx(1e-3 / er).epsilon(relative_tolerance));
  CHECK(tx.extinction_ratio_db == Approx(6.0).margin(0.01));
  CHECK(tx.oma_outer_w ==
        Approx(2.0 * tx.average_power_w * (er - 1.0) / (er + 1.0)).epsilon(relative_tolerance));
  CHECK(tx.rlm == Approx(1.0).margin(relative_tolerance));
  // No noise; the only eye closure is the reference receiver's own ISI (Rs/2 Bessel-Thomson), which
  // the 5-tap reference FFE mostly removes: measured 0.49 dB. Not a closed form, so only bounded.
  CHECK(tx.tdecq_db >= 0.0);
  CHECK(tx.tdecq_db < 1.0);
  // The chirp-free field keeps the carrier's phase; the probe holds probe_uis UIs.
  REQUIRE(tx.phase_rad.size() == 64u * 16u);
  REQUIRE(tx.power_w.size() == 64u * 16u);
  for (double p : tx.phase_rad) CHECK(std::abs(p - tx.phase_rad.front()) < 1e-9);
}

TEST_CASE(
    "A quadrature-biased MZM compresses the PAM4 levels: RLM = 2 − 3·sin(πa/3)/sin(πa), "
    "a = V_pp/(2Vπ) (IEEE 802.3 120D.3.1.2), on the run's capture and on the pre-pass",
    "[link][tx][mzm]") {
  // Vπ = VπL/L = 1.8 V·cm / 3 mm = 6 V; a lossless electrode so the levels are the static ones.
  const double v_pi = 6.0, v_pp = 4.8;
  const int symbols = GENERATE(12288, 4096);
  INFO(symbols << " symbols");
  const LaneResult r = run_tx(chain_yaml(R"(
  - block: mzm
    vpi_l: 1.8 V*cm
    length: 3 mm
    rf_loss: 0 dB/m
    insertion_loss: 0 dB)",
                                         "4.8 V", symbols));
  REQUIRE(r.tx.has_value());
  CHECK(r.tx->pre_pass == (symbols < 8191));
  const double a = v_pp / (2.0 * v_pi);
  const double es = std::sin(std::numbers::pi * a / 3.0) / std::sin(std::numbers::pi * a);
  CHECK(r.tx->rlm == Approx(2.0 - 3.0 * es).margin(relative_tolerance));
  // Outer levels P·(1 ± sin πa)/2 of the 1 mW carrier. The low level is only 2.5 % of P here, so
  // the reference receiver's residual tail (≤ 0.2 % of OMA, see relative_tolerance) moves the ER
  // (16.0 dB) by up to ~0.1 dB: the levels are checked against the OMA instead.
  const double s = std::sin(std::numbers::pi * a);
  const double oma = 1e-3 * s;
  CHECK(r.tx->levels_w.at(0) == Approx(1e-3 * (1.0 - s) / 2.0).margin(relative_tolerance * oma));
  CHECK(r.tx->levels_w.at(3) == Approx(1e-3 * (1.0 + s) / 2.0).margin(relative_tolerance * oma));
  CHECK(r.tx->extinction_ratio_db == Approx(10.0 * std::log10((1.0 + s) / (1.0 - s))).margin(0.15));
}

TEST_CASE("The summary JSON carries the tx object of DESIGN.md §4", "[link][tx][json]") {
  const LinkConfig config = parse_link_config(parse_yaml(chain_yaml(R"(
  - block: intensity_modulator
    extinction_ratio: 5 dB)",
                                                                    "1 V"),
                                                         "<test>"));
  const LinkResult link = run_link(config, 1);
  const nlohmann::json j = summary_json(config, link);
  const auto& tx = j["segments"][0]["lanes"][0]["tx"];
  for (const char* key :
       {"oma_outer_dbm", "extinction_ratio_db", "rlm", "tdecq_db", "average_power_dbm"}) {
    INFO(key);
    CHECK(tx.contains(key));
    CHECK(tx[key].is_number());
  }
  CHECK(tx["extinction_ratio_db"].get<double>() == Approx(5.0).margin(0.01));
}

TEST_CASE("The transmitter's own noise enters TDECQ and scales as the square root of its RIN",
          "[link][tx][tdecq]") {
  // RIN is a power spectral density relative to P²: the noise power after the reference filter
  // is RIN·⟨P²⟩·B_n, so its RMS grows by √10 per 10 dB of RIN (and a noiseless chain has none).
  auto run_with_rin = [](const std::string& rin) {
    std::string yaml =
        chain_yaml("  - {block: intensity_modulator, extinction_ratio: 4.5 dB}", "1 V");
    yaml.replace(yaml.find("rin: -200 dB/Hz"), std::string("rin: -200 dB/Hz").size(),
                 "rin: " + rin);
    const LaneResult lane = run_tx(yaml);
    REQUIRE(lane.tx.has_value());
    return *lane.tx;
  };
  const TxResult quiet = run_with_rin("-150 dB/Hz");
  const TxResult noisy = run_with_rin("-140 dB/Hz");
  CHECK(noisy.noise_rms_w / quiet.noise_rms_w == Approx(std::sqrt(10.0)).epsilon(0.05));
  CHECK(noisy.tdecq_db > quiet.tdecq_db);
  // Absolute: σ² = RIN·⟨P²⟩·B_n with B_n the noise bandwidth of the Rs/2 4th-order
  // Bessel–Thomson reference filter and ⟨P²⟩ from the four equiprobable levels (the waveform's
  // transitions move it by ~1 %; σ's sampling error over 12,288 UI is ~0.6 %).
  const double fs = 53.125e9 * 16;
  const double bn = noise_bandwidth_hz(
      design_fir(FilterSpec{.shape = FilterShape::bessel, .bandwidth_hz = 53.125e9 / 2, .order = 4},
                 fs)
          .taps,
      fs);
  double mean_square = 0.0;
  for (double p : noisy.levels_w) mean_square += p * p / 4.0;
  CHECK(noisy.noise_rms_w == Approx(std::sqrt(1e-14 * mean_square * bn)).epsilon(0.05));
}

// The pre-pass (link/ring_lock.hpp, noiseless_pre_pass) is the run's own noiseless transmitter
// output computed in one piece instead of in the run's 2048-symbol chunks: on the same window of
// the same symbols every figure is the same up to the round-off of the streaming filters
// (overlap-save FFTs over other block boundaries, ~1e-16 relative per sample).
TEST_CASE("The Tx analysis on a noiseless pre-pass equals the analysis on a long run's own capture",
          "[link][tx][pre_pass]") {
  // A lossy electrode (its streaming FIR filter carries state across the run's chunks), a finite
  // drive bandwidth and RIN (the noise is measured on the run's own window in both).
  const std::string mzm = R"(
  - block: mzm
    vpi_l: 1.8 V*cm
    length: 3 mm
    rf_loss: 60 dB/m
    insertion_loss: 2 dB)";
  auto run = [&](int symbols) {
    std::string yaml = chain_yaml(mzm, "3 V", symbols);
    yaml.replace(yaml.find("rin: -200 dB/Hz"), std::string("rin: -200 dB/Hz").size(),
                 "rin: -145 dB/Hz");
    const LaneResult lane = run_tx(yaml);
    REQUIRE(lane.tx.has_value());
    return *lane.tx;
  };
  const TxResult own = run(12288), pre = run(4096);
  INFO(pre.method);
  CHECK_FALSE(own.pre_pass);
  REQUIRE(pre.pre_pass);
  CHECK(pre.method.find("noiseless pre-pass") != std::string::npos);
  CHECK(own.method.find("the run's own noiseless capture") != std::string::npos);
  REQUIRE(pre.whole_period);
  REQUIRE(own.whole_period);
  REQUIRE(pre.first_symbol == own.first_symbol);
  REQUIRE(pre.symbols == own.symbols);
  // Sums of ~1.3e5 samples of the same values to round-off: 1e-9 relative is far above it.
  constexpr double round_off = 1e-9;
  CHECK(pre.average_power_w == Approx(own.average_power_w).epsilon(round_off));
  CHECK(pre.oma_outer_w == Approx(own.oma_outer_w).epsilon(round_off));
  CHECK(pre.extinction_ratio_db == Approx(own.extinction_ratio_db).epsilon(round_off));
  CHECK(pre.rlm == Approx(own.rlm).epsilon(round_off));
  REQUIRE(std::isfinite(own.tdecq_db));
  REQUIRE(own.levels_w.size() == 4u);
  REQUIRE(pre.levels_w.size() == 4u);
  for (std::size_t l = 0; l < 4; ++l) {
    CHECK(pre.levels_w[l] == Approx(own.levels_w[l]).epsilon(round_off));
  }
  // The noise is measured on each run's own window (4096 vs 12288 symbols of RIN): the same
  // statistic on 3.1× fewer samples, so TDECQ agrees to its sampling error, not to round-off.
  CHECK(pre.noise_rms_w == Approx(own.noise_rms_w).epsilon(0.05));
  CHECK(pre.tdecq_db == Approx(own.tdecq_db).margin(0.05));
  // At the chain's RIN of −200 dB/Hz (the key's floor) the two are the same computation on the
  // same waveform up to a noise term σ ≈ 1.6e-5 of the power after the reference filter, whose
  // square moves σ_G by ~1e-9 of itself.
  auto run_quiet = [&](int symbols) {
    const std::string yaml = chain_yaml(mzm, "3 V", symbols);
    const LaneResult lane = run_tx(yaml);
    REQUIRE(lane.tx.has_value());
    return *lane.tx;
  };
  const TxResult quiet_own = run_quiet(12288), quiet_pre = run_quiet(4096);
  REQUIRE(quiet_pre.pre_pass);
  CHECK(quiet_pre.tdecq_db == Approx(quiet_own.tdecq_db).epsilon(round_off));
}
