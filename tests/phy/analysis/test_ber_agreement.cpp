// Monte-Carlo against the semi-analytic and statistical BER over a grid of links: ISI-free and
// ISI-limited, thermal-, shot- and RIN-limited, BER from 1e-2 to 1e-5 (issue 6).
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <cmath>

#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "phy/analysis/statistics.hpp"
#include "test_support.hpp"

using namespace optilane;

namespace {

constexpr int sps = 4;
constexpr double symbol_rate = 53.125e9;

struct GridPoint {
  std::string name;
  std::string chain;  ///< YAML chain items
  double lowest_ber;  ///< the point is meant to lie in [lowest, highest]
  double highest_ber;
  std::string signal_extra{};  ///< further `signal:` keys, e.g. ", level_shaping: true"
};

/// White noise of density N (one-sided) has σ = N·√(fs/2) per sample: the AWGN density for
/// PAM4 levels ±½, ±⅙ V at a = d/(2σ), d = ⅓ V (Proakis §4.3: BER ≈ ¾Q(a)).
std::string awgn_for(double a) {
  const double sigma = (1.0 / 3.0) / (2.0 * a);
  return fmt::format("  - block: awgn\n    density: {}\n",
                     sigma / std::sqrt(sps * symbol_rate / 2));
}

/// An optical receiver chain: CW laser, ideal intensity modulator (ER 5 dB), PIN, linear TIA.
std::string optical(const std::string& power, const std::string& rin, const std::string& tia_noise,
                    const std::string& modulator_bandwidth = "") {
  return fmt::format(
      R"(  - block: laser
    kind: cw
    power: {}
    rin: {}
    linewidth: 0 Hz
  - block: intensity_modulator
    extinction_ratio: 5 dB
{}  - block: photodetector
    responsivity: 0.8 A/W
    dark_current: 0 A
  - block: tia
    noise_density: {}
    bandwidth: 40 GHz
)",
      power, rin, modulator_bandwidth.empty() ? "" : "    bandwidth: " + modulator_bandwidth + "\n",
      tia_noise);
}

/// An EML transmitter (its default exponential absorption edge, RLM 0.52 unshaped) fed with
/// levels shaped for equally spaced optical levels (link/level_shaping.hpp), PIN, linear TIA.
std::string shaped_eml(const std::string& power) {
  return fmt::format(
      R"(  - block: laser
    kind: cw
    power: {}
    rin: -200 dB/Hz
    linewidth: 0 Hz
  - block: eml
  - block: photodetector
    responsivity: 0.8 A/W
    dark_current: 0 A
  - block: tia
    noise_density: 25 pA/rtHz
    bandwidth: 40 GHz
)",
      power);
}

/// A host SerDes link: Tx (35 GHz DAC, RJ `rj` and A_DD `dj`, SNR_TX `snr`) → 45 GHz Bessel
/// channel → Rx front end with 10 mV of crosstalk (ICN) and no η0.
std::string serdes_impaired(const std::string& snr, const std::string& rj = "0.188 ps",
                            const std::string& dj = "0.376 ps",
                            const std::string& crosstalk = "10 mV") {
  return fmt::format(R"(  - block: serdes_tx
    ffe: [0, 1, 0]
    dac_bandwidth: 35 GHz
    rj: {}
    dj: {}
    snr: {}
  - block: filter
    shape: bessel
    order: 4
    bandwidth: 45 GHz
  - block: serdes_rx
    noise_density: 0 V/rtHz
    crosstalk: {}
)",
                     rj, dj, snr, crosstalk);
}

const char* isi_filter =
    "  - block: filter\n    shape: bessel\n    order: 4\n    bandwidth: 20 GHz\n";

std::vector<GridPoint> grid() {
  std::vector<GridPoint> g;
  // ISI-free, thermal (white Gaussian) noise: a = 1.6 … 4.0 spans ~4e-2 … 2e-5.
  g.push_back({"ISI-free AWGN, a = 1.8", awgn_for(1.8), 1e-2, 1e-1});
  g.push_back({"ISI-free AWGN, a = 2.6", awgn_for(2.6), 1e-3, 1e-2});
  g.push_back({"ISI-free AWGN, a = 3.3", awgn_for(3.3), 1e-4, 1e-3});
  g.push_back({"ISI-free AWGN, a = 3.9", awgn_for(3.9), 1e-5, 1e-4});
  // ISI-limited: a 4th-order Bessel at 0.38·Rs before the noise.
  g.push_back({"ISI + AWGN, a = 2.6", std::string(isi_filter) + awgn_for(2.6), 1e-2, 1e-1});
  g.push_back({"ISI + AWGN, a = 3.6", std::string(isi_filter) + awgn_for(3.6), 1e-4, 1e-2});
  g.push_back(
      {"milder ISI + AWGN + Rx filter (coloured noise), a = 4.5",
       "  - block: filter\n    shape: bessel\n    order: 4\n    bandwidth: 28 GHz\n" +
           awgn_for(4.5) +
           "  - block: filter\n    shape: butterworth\n    order: 2\n    bandwidth: 35 GHz\n",
       1e-6, 1e-2});
  // Thermal-limited optical receiver (TIA noise).
  g.push_back(
      {"TIA-noise-limited, -8.5 dBm", optical("-8.5 dBm", "-200 dB/Hz", "25 pA/rtHz"), 1e-3, 3e-2});
  g.push_back(
      {"TIA-noise-limited, -7 dBm", optical("-7 dBm", "-200 dB/Hz", "25 pA/rtHz"), 1e-5, 1e-3});
  // Shot-noise-limited (no TIA noise, no RIN): σ² = 2qĪB grows with the level.
  g.push_back({"shot-limited, -22 dBm", optical("-22 dBm", "-200 dB/Hz", "0 A/rtHz"), 1e-3, 1e-2});
  // −18 dBm puts this point mid-decade (semi-analytic 4.0–5.0e-5 over seeds 21–22 and both
  // Gaussian generators). At −18.5 dBm it sat at the decade's edge (0.81–1.01e-4): the spread of
  // the 4,096-symbol threshold calibration between noise realisations (bench/README.md) carried
  // seed 21 over 1e-4 once the noise was drawn by the block generator.
  g.push_back({"shot-limited, -18 dBm", optical("-18 dBm", "-200 dB/Hz", "0 A/rtHz"), 1e-5, 1e-4});
  // RIN-limited (σ ∝ P: the top level is the noisiest).
  g.push_back({"RIN-limited, -130 dB/Hz", optical("0 dBm", "-130 dB/Hz", "0 A/rtHz"), 1e-3, 1e-1});
  g.push_back({"RIN-limited, -134 dB/Hz", optical("0 dBm", "-134 dB/Hz", "0 A/rtHz"), 1e-5, 1e-3});
  // ISI-limited optical: a 20 GHz modulator, TIA noise.
  g.push_back({"modulator-ISI + TIA noise", optical("-4 dBm", "-200 dB/Hz", "20 pA/rtHz", "20 GHz"),
               1e-5, 1e-2});
  // Transmit level shaping (issue 7): Monte-Carlo and the analytic BERs see the same shaped
  // source levels (−6 dBm: ≈ 8e-3; −4 dBm: ≈ 1.7e-4).
  g.push_back({"shaped EML levels + TIA noise, -6 dBm", shaped_eml("-6 dBm"), 1e-3, 1e-2,
               ", level_shaping: true"});
  g.push_back({"shaped EML levels + TIA noise, -4 dBm", shaped_eml("-4 dBm"), 1e-5, 1e-3,
               ", level_shaping: true"});
  // Host SerDes impairments (issue 7, devices/serdes/): Tx jitter (RJ 0.01 UI, dual-Dirac
  // 0.02 UI, the 802.3ck COM values, Monte-Carlo with the real ±A_DD), Tx SNR held per UI, and
  // crosstalk at the receiver input; the analytic BERs take the measured slicer noise as Gaussian.
  g.push_back(
      {"Tx jitter + Tx SNR + crosstalk (host SerDes)", serdes_impaired("18 dB"), 1e-3, 1e-2});
  g.push_back({"Tx jitter + Tx SNR + crosstalk (host SerDes), lower BER", serdes_impaired("22 dB"),
               1e-5, 1e-3});
  return g;
}

/// Monte-Carlo and a model agree when the model lies in the 95 % interval or within 20 %
/// (issue 6's acceptance; 20 % in BER is < 0.1 dB of SNR at these Q values).
bool agrees(const SlicerResult& s, double model) {
  if (s.ber_ci95_low <= model && model <= s.ber_ci95_high) return true;
  return std::abs(model / s.ber_monte_carlo - 1.0) <= 0.2;
}

void check_point(const GridPoint& point, std::uint64_t max_symbols, std::uint64_t min_errors) {
  const LinkConfig config = test::config_from_text(fmt::format(R"(
name: grid
signal: {{format: pam4, symbol_rate: 53.125 GBd, samples_per_symbol: {}, pattern: prbs31q,
         symbols: 32768, seed: 21{}}}
chain:
{}analysis:
  monte_carlo: {{symbols: {}, min_errors: {}}}
)",
                                                               sps, point.signal_extra, point.chain,
                                                               max_symbols, min_errors));
  const LaneResult lane = run_link(config, 1).lanes.at(0);
  const SlicerResult& s = lane.slicer;
  INFO(point.name << ": MC " << s.ber_monte_carlo << " [" << s.ber_ci95_low << ", "
                  << s.ber_ci95_high << "] (" << s.bit_errors << " errors in " << s.bits
                  << " bits), semi-analytic " << s.ber_semi_analytic << ", statistical "
                  << (lane.statistical ? lane.statistical->ber : -1.0));
  CHECK(s.ber_semi_analytic >= point.lowest_ber);
  CHECK(s.ber_semi_analytic <= point.highest_ber);
  CHECK(agrees(s, s.ber_semi_analytic));
  REQUIRE(lane.statistical);
  CHECK(agrees(s, lane.statistical->ber));
}

}  // namespace

TEST_CASE(
    "Monte-Carlo agrees with the semi-analytic and statistical BER across 18 links from "
    "1e-2 to 1e-5: ISI-free/ISI-limited, thermal/shot/RIN-limited, shaped EML levels, host "
    "SerDes impairments",
    "[phy][analysis][ber][long]") {
  // 150 errors: the 95 % interval is ±16 %, so "inside or within 20 %" is a real test.
  for (const GridPoint& point : grid()) check_point(point, 12'000'000, 150);
}

TEST_CASE(
    "Monte-Carlo agrees with the semi-analytic and statistical BER on the grid's high-BER "
    "points",
    "[phy][analysis][ber]") {
  // The default suite's share of the grid: the points above 1e-3, a few hundred thousand
  // symbols each.
  for (const GridPoint& point : grid()) {
    if (point.lowest_ber >= 1e-3) check_point(point, 300'000, 100);
  }
}

// Known deviation: the analytic BERs take the slicer noise of each level as one Gaussian of the
// measured variance. Jitter noise is δ·h'(t_s): its variance follows the slope at each symbol's
// decision instant, which the data pattern sets, so the true distribution is a mixture of
// Gaussians with heavier tails than their average (COM makes the same approximation,
// σ_J² ∝ Σ h_J²). Where jitter dominates the semi-analytic BER is optimistic: with RJ of
// 1 ps (0.053 UI) alone on this link Monte-Carlo counts ~1.2e-4 and the semi-analytic BER is
// ~2e-6. At the COM values (0.01 UI RJ, 0.02 UI DD) among the other noise the two agree (the grid
// points above). [!shouldfail]: fails the day the analytic BER carries the jitter's mixture.
TEST_CASE(
    "Monte-Carlo agrees with the semi-analytic BER when Tx random jitter dominates "
    "(known deviation)",
    "[phy][analysis][ber][!shouldfail]") {
  check_point(
      {"RJ-dominated host SerDes", serdes_impaired("300 dB", "1 ps", "0 ps", "0 mV"), 1e-6, 1e-3},
      300'000, 50);
}

// Behind a DFE the semi-analytic and statistical BERs add the DFE's error propagation (a Markov
// chain over the recent decision errors, phy/analysis/dfe_propagation.hpp); Monte-Carlo feeds the
// DSP's own decisions back. Before, both assumed ideal feedback and read low wherever the DFE's
// tap is large (copper-dac-200g: MC 6.6e-4 against 2.5e-4 at 0.79 m).
TEST_CASE(
    "Monte-Carlo agrees with the semi-analytic and statistical BER behind an FFE + 1-tap DFE "
    "(DFE error propagation)",
    "[phy][analysis][ber][dfe]") {
  // The grid's ISI filter (4th-order Bessel at 0.38·Rs) leaves a large first post-cursor that
  // the DFE cancels; after a decision error it adds it back twice over.
  const std::string dsp =
      "  - block: ffe\n    taps: 8\n    pre_taps: 2\n  - block: dfe\n    taps: 1\n";
  check_point({"ISI + AWGN + FFE + 1-tap DFE, a = 3.2",
               std::string(isi_filter) + awgn_for(3.2) + dsp, 1e-3, 1e-1},
              600'000, 400);
}

// copper-dac-200g (24-tap FFE + 1-tap DFE at the host) at its reach: Monte-Carlo on lane 0
// against the semi-analytic BER the tiers table and the reach search decide on.
// History: with the 802.3ck package (lumped die C) and ideal DFE feedback the semi-analytic BER
// read 2.5e-4 against Monte-Carlo 6.6e-4 at 0.79 m; the DFE's error propagation brought it to
// 4.9e-4 (still 20 % low, a known deviation). With 802.3dj's reference package the preset
// reached 0.92 m, where Monte-Carlo counted 2.29e-4 [2.18e-4, 2.41e-4] (1504 errors) against a
// semi-analytic 1.90e-4: 17 % low, inside this grid's agreement rule (the 95 % interval or
// 20 %); with the package's second section z_pB it reaches 0.89 m: Monte-Carlo 2.87e-4
// [2.72e-4, 3.02e-4] (1503 errors) against a semi-analytic 2.32e-4 (statistical eye 2.21e-4),
// 19 % low — at the edge of the rule, and the gap widens as the crosstalk share grows. What is left
// of the gap is what the chain does not carry: after the CTLE and 24-tap FFE the noise is coloured
// and the residual ISI correlated from symbol to symbol (dfe_propagation.hpp), so the reach read
// from the semi-analytic BER is slightly long.
TEST_CASE(
    "copper-dac-200g at its 0.89 m reach: Monte-Carlo agrees with the semi-analytic BER behind "
    "its 24-tap FFE + 1-tap DFE",
    "[phy][analysis][ber][dfe][long]") {
  ConfigNode root =
      load_yaml_file(std::string(OPTILANE_SOURCE_DIR) + "/examples/tiers/copper-dac-200g.yaml");
  apply_override(root, "chain.twinax.length=0.89 m");
  apply_override(root, "lanes.count=1");
  apply_override(root, "analysis.monte_carlo={symbols: 6000000, min_errors: 1500}");
  const LaneResult lane = run_link(parse_link_config(root), 2).lanes.at(0);
  const SlicerResult& s = lane.slicer;
  INFO("MC " << s.ber_monte_carlo << " [" << s.ber_ci95_low << ", " << s.ber_ci95_high << "] ("
             << s.bit_errors << " errors in " << s.bits << " bits), semi-analytic "
             << s.ber_semi_analytic << ", statistical "
             << (lane.statistical ? lane.statistical->ber : -1.0));
  REQUIRE(s.bit_errors >= 150);
  CHECK(agrees(s, s.ber_semi_analytic));
}
