// Tests of the packaging tiers (link/tiers.hpp, examples/tiers/): each preset runs, its power
// breakdown is the hand sum of its blocks, retimed segment BERs add up, copper reach behaves, and
// the published reference points come out of the cited device parameters (the targets;
// sources in the presets and figures.md §3).
#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <cmath>
#include <map>
#include <numeric>

#include "devices/dsp/dsp_power.hpp"
#include "devices/serdes/reach_class.hpp"
#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/tiers.hpp"
#include "tests/support/tier_helpers.hpp"

using namespace optilane;

namespace {

// Sums of watts over blocks: rounding only.
constexpr double rounding = 1e-9;

double block_w(const TierResult& r, const std::string& label) {
  for (const auto& [name, w] : r.blocks_w) {
    if (name == label) return w;
  }
  return 0.0;
}

double sum(const std::vector<std::pair<std::string, double>>& items) {
  double total = 0.0;
  for (const auto& [name, w] : items) total += w;
  return total;
}

std::map<std::string, TierResult> run(const std::vector<std::string>& presets, bool reach,
                                      const std::vector<std::string>& overrides = {
                                          "analysis.sensitivity=false"}) {
  std::map<std::string, TierResult> out;
  for (const auto& row : run_tiers(presets, 0, reach, overrides)) {
    out[row.tier] = row;
  }
  return out;
}

/// All tiers of both rates, run once (no reach search, no sensitivity search) and shared by the
/// long test cases of one process.
const std::map<std::string, TierResult>& tiers() {
  static const std::map<std::string, TierResult> rows = run(tier_presets(""), false);
  return rows;
}

/// Energy of one SerDes lane of a reach class, J/bit (Tx + Rx).
double serdes_j(std::string_view name) {
  return reach_class(name).energy_per_bit_j;
}

using test::tier_preset;
using test::tier_tx;
using test::TierTx;

/// The transmitter's extinction ratio as IEEE 802.3 cl. 121.8.4 defines it: P3/P0 over the central
/// 2 UI of the test pattern's runs of 7 threes and 6 zeros (phy/outer_level_runs.hpp), on the
/// whole test pattern. At the preset's own symbol count (4096), which holds no whole PRBS13Q
/// period (8191 symbols) after the start-up, the analysis reads a noiseless pre-pass of one whole
/// period of the run's symbols through the transmitter blocks (link/ring_lock.hpp); it holds the
/// period's run of 7 threes and run of 6 zeros.
double tier_extinction_ratio_db(const std::string& name) {
  const TxResult tx = tier_tx(name).tx;
  INFO(name << ": " << tx.method);
  REQUIRE(tx.pre_pass);
  REQUIRE(tx.whole_period);
  return tx.extinction_ratio_db;
}
/// The one TIA of a preset's built chain (lane 0), as its block reports it.
struct TiaMetrics {
  double transimpedance_dbohm = 0.0, bandwidth_hz = 0.0, power_w = 0.0, noise_rms_a = 0.0;
};
TiaMetrics preset_tia(const std::string& name) {
  const LinkConfig config = parse_link_config(
      resolve_config(tier_preset(name), {"lanes.count=1", "analysis.sensitivity=false"}), false);
  const auto chain = build_chain(config, 0);
  const Block* tia = nullptr;
  for (const auto& block : chain) {
    if (block->kind() == "tia") {
      REQUIRE(tia == nullptr);  // one receiver per one-direction chain
      tia = block.get();
    }
  }
  REQUIRE(tia != nullptr);
  return {tia->metric("transimpedance_dbohm", 0.0).value(),
          tia->metric("bandwidth_hz", 0.0).value(), tia->metric("power_w", 0.0).value(),
          tia->metric("noise_rms_a", 0.0).value()};
}

/// The DR transmitters' extinction ratio, ≥ 3.5 dB (400GBASE-DR4/800GBASE-DR8, figures.md §1.2/
/// §1.4, V), measured on each tier's waveform.
void check_dr_extinction(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const double er = tier_extinction_ratio_db(name);
    INFO(name << " ER " << er << " dB");
    CHECK(er >= 3.5);
  }
}

double dbm(double w) {
  return 10.0 * std::log10(w / 1e-3);
}

/// Tiers that do not close at their preset (known deviations, each a [!shouldfail] test below).
bool known_not_closing(const std::string& tier) {
  return tier == "copper-dac-200g";
}

}  // namespace

TEST_CASE("Every tier preset runs at both lane rates with 8-lane ports and closes",
          "[link][tiers][long]") {
  const auto& rows = tiers();
  for (const std::string tier : {"copper-dac", "copper-cpc", "pluggable-dsp", "pluggable-dsp-fr4",
                                 "lro", "lpo", "npo", "cpo"}) {
    for (const std::string rate : {"100g", "200g"}) {
      INFO(tier << "-" << rate);
      REQUIRE(rows.count(tier + "-" + rate) == 1);
      const TierResult& r = rows.at(tier + "-" + rate);
      CHECK(r.lanes == 8);
      CHECK(r.lane_rate_gbps == (rate == "100g" ? 100.0 : 200.0));
      // The 200G copper tiers do not close at their 1 m: the known deviations below.
      if (!known_not_closing(tier + "-" + rate)) CHECK(r.closes);
      CHECK(r.ber > 0.0);
      CHECK(r.pj_per_bit > 0.0);
    }
  }
  for (const auto& [name, r] : rows) {
    INFO(name);
    CHECK(sum(r.breakdown_w) == Approx(r.port_w).epsilon(rounding));
    CHECK(sum(r.blocks_w) == Approx(r.port_w).epsilon(rounding));
    CHECK(r.pj_per_bit == Approx(r.port_w / (8 * r.line_rate_gbps * 1e9) * 1e12));
  }
}

TEST_CASE(
    "A tier's power breakdown is the hand sum of its blocks, each receiver costed once, and "
    "retimed segment BERs add up",
    "[link][tiers][power]") {
  // Three presets, one process, a few seconds (1024 symbols, no statistical eye, no
  // sensitivity search): the DSP pluggable (three retimed segments), CPO and the DAC.
  const auto rows = run(
      {tier_preset("pluggable-dsp-200g"), tier_preset("cpo-200g"), tier_preset("copper-dac-200g")},
      false,
      {"analysis.sensitivity=false", "signal.symbols=1024", "analysis.statistical_eye=false"});
  for (const auto& [name, r] : rows) {
    INFO(name);
    // The DAC at 200G does not close at its 1 m (the known deviation in the reach tests).
    if (name != "copper-dac-200g") CHECK(r.closes);
    CHECK(sum(r.breakdown_w) == Approx(r.port_w).epsilon(rounding));
    CHECK(sum(r.blocks_w) == Approx(r.port_w).epsilon(rounding));
    CHECK(r.pj_per_bit == Approx(r.port_w / (8 * r.line_rate_gbps * 1e9) * 1e12));
  }
  // By hand, the 200G DSP pluggable, 8 lanes at 212.5 Gb/s (106.25 GBd). Host: a VSR (C2M)
  // SerDes lane split between the near switch's Tx and the far switch's Rx (its FFE/DFE are part
  // of the Rx). Module DSP chip, at 5 nm, costed by its two retimers: the Tx retimer receives the
  // C2M channel (ADC + 16 FFE + 1 DFE + CDR; the module_serdes_rx before it is its front end, 0 W)
  // and transmits the line (DAC + 4 Tx FFE taps); the Rx retimer receives the line and transmits
  // the C2M channel (the module_serdes_tx after it, 0 W). Optics: driver 224 mW; laser
  // 10 mW / 0.2 + 150 mW TEC; TIA 150 mW (the 66 GHz SiGe linear TIA, Garcia Lopez et al., IEEE
  // JSSC, doi:10.1109/JSSC.2017.2782080).
  const TierResult& p = rows.at("pluggable-dsp-200g");
  const double rb = 212.5e9;
  const double rs = 106.25e9;
  const ReachClass& vsr = reach_class("vsr");
  CHECK(block_w(p, "host_serdes_tx") == Approx(8 * vsr.energy_per_bit_j * vsr.tx_share * rb));
  CHECK(block_w(p, "host_serdes_rx") == Approx(8 * vsr.energy_per_bit_j * (1 - vsr.tx_share) * rb));
  CHECK(block_w(p, "ffe") == 0.0);  // part of host_serdes_rx
  CHECK(block_w(p, "dfe") == 0.0);
  CHECK(block_w(p, "module_serdes_rx") == 0.0);  // part of module_dsp_tx
  CHECK(block_w(p, "module_serdes_tx") == 0.0);  // part of module_dsp_rx
  CHECK(block_w(p, "driver") == Approx(8 * 0.224));
  CHECK(block_w(p, "laser") == Approx(8 * (0.010 / 0.2 + 0.15)).epsilon(1e-6));
  CHECK(block_w(p, "tia") == Approx(8 * 0.150));
  const double node = 5.0;
  const double tx_pj = dsp_energy_pj_per_bit(DspFunction::dac, node, rs) +
                       4 * dsp_energy_pj_per_bit(DspFunction::tx_ffe_tap, node, rs);
  const double rx_pj = dsp_energy_pj_per_bit(DspFunction::adc, node, rs) +
                       16 * dsp_energy_pj_per_bit(DspFunction::ffe_tap, node, rs) +
                       dsp_energy_pj_per_bit(DspFunction::dfe_tap, node, rs) +
                       dsp_energy_pj_per_bit(DspFunction::cdr, node, rs);
  CHECK(block_w(p, "module_dsp_tx") == Approx(8 * (rx_pj + tx_pj) * 1e-12 * rb));
  CHECK(block_w(p, "module_dsp_rx") == Approx(8 * (rx_pj + tx_pj) * 1e-12 * rb));
  CHECK(p.dsp_w == Approx(8 * 2 * (rx_pj + tx_pj) * 1e-12 * rb));
  const double load = p.module_w - block_w(p, "module overhead");
  CHECK(block_w(p, "module overhead") == Approx(module_overhead_w(load, 8)));
  CHECK(p.port_w == Approx(p.module_w + 8 * vsr.energy_per_bit_j * rb));

  // CPO: the switch's XSR SerDes lane (its FFE/DFE inside), nothing else of the host.
  const TierResult& c = rows.at("cpo-200g");
  CHECK(block_w(c, "host_serdes_tx") + block_w(c, "host_serdes_rx") ==
        Approx(8 * serdes_j("xsr") * rb));
  CHECK(c.breakdown_w.size() == p.breakdown_w.size());
  // Its external laser source is a module of its own (OIF ELSFP): 8 lanes' shares of 14 dBm (a
  // quarter of a 20 dBm fibre) at a wall-plug efficiency of 0.2 (the preset), drawn through the
  // ELS module's DC-DC converter, plus its management; outside module_w, inside port_w. The
  // pluggable has no ELS.
  const double els_lasers = 8 * std::pow(10.0, 14.0 / 10.0) * 1e-3 / 0.2;
  CHECK(block_w(c, "laser") == Approx(els_lasers).epsilon(1e-6));
  CHECK(block_w(c, "laser source overhead") == Approx(module_overhead_w(els_lasers, 8)));
  CHECK(block_w(p, "laser source overhead") == 0.0);
  // Its engine: the ring driver (0.16 W, the preset), the ring's C·V² drive and heater (mrm) and
  // the TIA (the same 0.150 W part), plus the engine's overhead.
  CHECK(block_w(c, "driver") == Approx(8 * 0.16));
  CHECK(block_w(c, "tia") == Approx(8 * 0.150));
  const double engine = block_w(c, "driver") + block_w(c, "mrm") + block_w(c, "tia");
  CHECK(c.module_w == Approx(engine + block_w(c, "module overhead")));
  CHECK(block_w(c, "module overhead") == Approx(module_overhead_w(engine, 8)));
  CHECK(c.port_w ==
        Approx(c.module_w + block_w(c, "host_serdes_tx") + block_w(c, "host_serdes_rx") +
               els_lasers + block_w(c, "laser source overhead")));

  // Copper: the LR SerDes lane is the whole power.
  const TierResult& d = rows.at("copper-dac-200g");
  CHECK(d.port_w == Approx(8 * serdes_j("lr") * rb));
  CHECK(d.module_w == 0.0);

  // Retimed segments: the pluggable has three (host → module, optics, module → far host); one
  // simulated lane, so the link BER is the sum of the segments' BERs.
  CHECK(p.segments == 3);
  REQUIRE(p.segment_ber.size() == 3);
  CHECK(p.ber ==
        Approx(std::accumulate(p.segment_ber.begin(), p.segment_ber.end(), 0.0)).epsilon(1e-9));
  CHECK(rows.at("cpo-200g").segments == 1);
}

// LPO and LRO at 100G/lane receive through the 28 nm CMOS 112 Gb/s PAM-4 linear receiver
// (TIA + CTLE + VGA; figures.md §2.6, V): 71 dBΩ, 37 GHz, 2.72 µA rms input-referred, 96.8 mW.
// The presets enter its noise as a density, 13.4 pA/√Hz, derived from the rms over the block's
// 2nd-order Butterworth noise bandwidth; the built TIA must give back the published rms.
TEST_CASE("LPO and LRO at 100G: the TIA is one part (the 28 nm linear receiver)",
          "[link][tiers][power]") {
  for (const std::string name : {"lpo-100g", "lro-100g"}) {
    INFO(name);
    const TiaMetrics tia = preset_tia(name);
    // 71 dBΩ entered as 3548 Ω: 20·log10(3548) = 70.9997.
    CHECK(tia.transimpedance_dbohm == Approx(71.0).margin(0.0005));
    CHECK(tia.bandwidth_hz == Approx(37e9));
    CHECK(tia.power_w == Approx(0.0968));
    // The published 2.72 µA rms; 1 % as in the 200G test (test_tia.cpp's 2 % on the sampled
    // design's noise bandwidth, under the square root) plus the density's 3-digit rounding.
    CHECK(tia.noise_rms_a == Approx(2.72e-6).epsilon(0.011));
  }
}

// One part: at 200G/lane every optical tier receives through the same linear TIA, the retrieved
// one whose bandwidth covers 106.25 GBd (Nyquist 53 GHz): 130 nm SiGe:C, 65 dBΩ, 66 GHz,
// 7.6 pA/√Hz input-referred noise, 150 mW (Garcia Lopez et al., IEEE JSSC,
// doi:10.1109/JSSC.2017.2782080). Its noise, bandwidth and gain are what the presets simulate, and
// its power what they cost: each tier's TIA line of the port is 8 lanes × 150 mW, whether a DSP,
// the host SerDes (LPO, NPO, CPO) or a Tx-only DSP (LRO) follows it. Before, the presets drew the
// power from this part and the noise (16.9 pA/√Hz) from the 32 GHz 16 nm CMOS part.
TEST_CASE("Every 200G optical tier's TIA is one part: noise, bandwidth, gain and power",
          "[link][tiers][power]") {
  const std::vector<std::string> names = {"pluggable-dsp-200g", "pluggable-dsp-fr4-200g",
                                          "lro-200g",           "lpo-200g",
                                          "npo-200g",           "cpo-200g"};
  for (const auto& name : names) {
    INFO(name);
    const TiaMetrics tia = preset_tia(name);
    // 65 dBΩ entered as the whole ohm nearest 10^(65/20) = 1778.3 Ω: 20·log10(1778) = 64.9986.
    CHECK(tia.transimpedance_dbohm == Approx(65.0).margin(0.0015));
    CHECK(tia.bandwidth_hz == Approx(66e9));
    CHECK(tia.power_w == Approx(0.150));
    // Input-referred rms noise i_n·√B_n of the designed response against the closed form of a
    // 2nd-order Butterworth, B_n = π/(2·2·sin(π/4))·B = 1.1107·B (Razavi §4.2): 7.6 pA/√Hz over
    // 73.3 GHz = 2.06 µA rms. Tolerance 1 % ≈ √1.02 − 1: the 2 % that test_tia.cpp allows the
    // sampled design's noise bandwidth, under the square root.
    CHECK(tia.noise_rms_a == Approx(7.6e-12 * std::sqrt(1.1107 * 66e9)).epsilon(0.01));
  }
  const auto rows =
      run({tier_preset("pluggable-dsp-200g"), tier_preset("pluggable-dsp-fr4-200g"),
           tier_preset("lro-200g"), tier_preset("lpo-200g"), tier_preset("npo-200g"),
           tier_preset("cpo-200g")},
          false,
          {"analysis.sensitivity=false", "signal.symbols=1024", "analysis.statistical_eye=false"});
  REQUIRE(rows.size() == names.size());
  for (const auto& [name, r] : rows) {
    INFO(name);
    CHECK(block_w(r, "tia") == Approx(8 * 0.150));
  }
}

/// The copper tiers with the reach search, run once per process.
const std::map<std::string, TierResult>& copper_reach() {
  static const std::map<std::string, TierResult> rows =
      run({tier_preset("copper-dac-100g"), tier_preset("copper-dac-200g"),
           tier_preset("copper-cpc-100g"), tier_preset("copper-cpc-200g")},
          true);
  return rows;
}

// Published: passive copper at 200G/lane reaches about 1–2 m (the tiers issue; 802.3dj CR is
// built around 1 m assemblies, figures.md §4), further at 100G/lane (802.3ck CR: 2 m assemblies
// within ≈ 28.5 dB TP0–TP5, figures.md §4). The host receiver carries the COM reference's
// impairments (devices/serdes/serdes_rx.hpp): Tx jitter σ_RJ 0.01 UI and A_DD 0.02 UI, SNR_TX
// 33 dB held per UI, 1.67 mV of crosstalk ICN at its input, η0. Without them the DAC reached
// 2.09 m at 200G (≈ 53 dB die to die at 53.1 GHz against ≈ 40 dB for 802.3dj's reference).
TEST_CASE("Passive copper (DAC) reaches at most 2 m at 200G/lane and further at 100G/lane",
          "[link][tiers][reach][long]") {
  const auto& rows = copper_reach();
  const double dac_100 = rows.at("copper-dac-100g").reach_m;
  const double dac_200 = rows.at("copper-dac-200g").reach_m;
  INFO("DAC reach " << dac_100 << " m at 100G, " << dac_200 << " m at 200G");
  CHECK(rows.at("copper-dac-200g").reach_block == "twinax");
  CHECK(dac_200 > 0.0);
  CHECK(dac_200 <= 2.0);
  CHECK(dac_200 < dac_100);
  CHECK(rows.at("copper-cpc-200g").reach_m < rows.at("copper-cpc-100g").reach_m);
  CHECK(rows.at("copper-cpc-100g").reach_m >= 1.0);
}

// Known deviation: the DAC at 200G reaches 0.89 m (0.64 m with the 802.3ck 12 mm package and a
// lumped die; 0.92 m with the 802.3dj reference package before its second line section z_pB,
// package.hpp), where the die-to-die loss is ≈ 37 dB at 53.1 GHz, inside the ≈ 40 dB that
// 802.3dj's reference receiver closes (figures.md §4, S). The term is the crosstalk: the
// 1.67 mV ICN is the 802.3bj 25G cable-assembly figure (serdes_rx.hpp; no 224G figure was
// found). BER at 1 m (lane 0) by term removed: none 5.8e-4; crosstalk 3.9e-8; Tx A_DD 2.7e-4;
// σ_RJ 4.9e-4; SNR_TX 4.8e-4.
// [!shouldfail]: fails (to be made a plain check) the day the model meets the target.
TEST_CASE("Passive copper (DAC) at 200G/lane reaches at least 1 m (known deviation)",
          "[link][tiers][reach][long][!shouldfail]") {
  const double dac_200 = copper_reach().at("copper-dac-200g").reach_m;
  INFO("DAC reach at 200G " << dac_200 << " m");
  CHECK(dac_200 >= 1.0);
}

TEST_CASE("The reach search's answer closes and 5 % more cable does not",
          "[link][tiers][reach][long]") {
  // The secant search (tiers.cpp, search_reach) must stay a bracket: re-run the DAC at its
  // reported reach and at 5 % beyond it (the search's resolution) as ordinary tiers.
  const double reach = copper_reach().at("copper-dac-200g").reach_m;
  REQUIRE(reach > 0.0);
  auto at = [](double length) {
    return run_tier(tier_preset("copper-dac-200g"),
                    {"analysis.sensitivity=false", fmt::format("chain.twinax.length={} m", length)},
                    false);
  };
  CHECK(at(reach).closes);
  CHECK_FALSE(at(reach * 1.05).closes);
}

// Co-packaged copper at 200G/lane reaches 1.15 m with the 802.3dj reference package
// (package.hpp; with the 802.3ck 12 mm package and a lumped die it closed at no length: the
// die–ball echo at 15.7 UI). Its host side (30 cm of 30 AWG flyover per end) loses less at
// 53.1 GHz than the DAC's 18.5 cm of Megtron 7, so it reaches further than the DAC.
TEST_CASE("Co-packaged copper at 200G/lane reaches at least 1 m", "[link][tiers][reach][long]") {
  const double cpc_200 = copper_reach().at("copper-cpc-200g").reach_m;
  INFO("CPC reach at 200G " << cpc_200 << " m");
  CHECK(cpc_200 >= 1.0);
}

TEST_CASE(
    "The 500 m DR and 2 km FR tiers close with positive margin at their standard's FEC threshold "
    "at both rates",
    "[link][tiers][long]") {
  for (const auto& r : run_tiers(tier_presets(""), 0, false)) {
    const std::string& name = r.tier;
    if (name.rfind("copper", 0) == 0) continue;  // no optical budget
    INFO(name);
    if (known_not_closing(name)) continue;  // the known deviation below
    if (name == "pluggable-dsp-fr4-200g") {
      CHECK(r.symbol_rate_gbd == Approx(113.4375));
      CHECK(r.target_ber == Approx(4.8e-3));  // 802.3dj concatenated FEC (fec.hpp)
    } else {
      CHECK(r.target_ber == Approx(2.4e-4));
    }
    CHECK(r.closes);
    REQUIRE(std::isfinite(r.margin_db));
    CHECK(r.margin_db > 0.0);
  }
}

// Issue 7: "the 500 m DR ... tiers close with positive margin at both lane rates": the test
// above asserts it (margin from the sensitivity search) for every optical tier; CPO and LPO at
// 200G were known deviations there until their presets were corrected (the ring's two-segment
// efficiency, the linear driver's gain to the EML's rated swing: examples/tiers/cpo-200g.yaml,
// lpo-200g.yaml). Named here so that a regression says which; the extinction-ratio floor of
// 802.3dj DR is checked separately below.
TEST_CASE("CPO and LPO at 200G/lane close at KP4", "[link][tiers][long]") {
  for (const std::string name : {"cpo-200g", "lpo-200g"}) {
    const TierResult& r = tiers().at(name);
    INFO(name << " BER " << r.ber);
    CHECK(r.target_ber == Approx(2.4e-4));
    CHECK(r.closes);
  }
}

TEST_CASE("LPO's EML meets the DR extinction ratio at both lane rates, ER >= 3.5 dB",
          "[link][tiers][long]") {
  // DR transmitters: ER >= 3.5 dB (400GBASE-DR4/800GBASE-DR8, figures.md §1.2/§1.4, V; 802.3dj
  // cl. 180, §1.6, S). With its linear driver at 0 dB the EML saw half its rated 1 Vpp (the
  // host's de-emphasised 0.5 Vpp steady state) and read 2.1 dB at 200G, 2.5 dB at 100G; the
  // driver's 6 dB = 20·log10(1 V / 0.5 V) (lpo-*.yaml).
  check_dr_extinction({"lpo-100g", "lpo-200g"});
}

// CPO's rings (cpo-*.yaml) at 2 Vpp: the steepest-slope lock read ER 2.8 dB (two segments,
// 24.45 pm/V, 200G) and 1.9 dB (16.3 pm/V, 100G). They lock where the outer levels' OMA is
// largest with their ER at the standard's 3.5 dB (mrm `lock: max_oma`, `min_extinction`; closed
// forms in tests/devices/modulators/test_mrm.cpp), on the levels the ring puts out (`lock_levels:
// modulated`): P3 and P0 on the ring's own output over the central 2 UI of cl. 121.8.4's runs of
// 7 threes / 6 zeros of one whole PRBS13Q period, the pattern's run statistics a controller
// averaging over milliseconds sees (mrm.hpp, "Lock statistics"; link/ring_lock.hpp). At 200G
// those runs reach −0.977/+0.950 V and the lock sits at −84.6 pm (on the first chunk's runs of 5,
// −81.4 pm; on the nominal ±1 V, −88.0 pm); the transmitter analysis reads ER 3.525 dB on the same
// runs after the reference receiver (3.683 dB with the first-chunk lock), now at the preset's own
// 4096 symbols through the noiseless pre-pass (the eye-centre fallback on the run's 3968-symbol
// window read 3.429 dB).
TEST_CASE("CPO-200G's ring, locked on its modulated levels, meets the DR extinction ratio",
          "[link][tiers][long]") {
  check_dr_extinction({"cpo-200g"});
}

// Known deviation: at 100G the runs of 7 threes / 6 zeros of the whole PRBS13Q period reach
// −0.975/+0.993 V and the lock (−56.8 pm; −57.6 pm on the first chunk's runs of 5) holds their
// ER on the ring's own output at exactly 3.5 dB. The transmitter analysis reads the same runs
// after the reference receiver (4th-order Bessel–Thomson at Rs/2, cl. 121.8.5.1), which smooths
// their central 2 UI a little: 3.496 dB, now at the preset's own 4096 symbols through the
// noiseless pre-pass of one whole period (3.459 dB with the first-chunk lock; the eye-centre
// fallback on the run's own 3953-symbol window, which lacks those runs, read 3.482 dB, was 3.445).
// A controller that locks exactly on the floor has no room for the instrument's filter: a real
// transmitter's ER set-point sits above the standard's minimum by a design margin, and none was
// found for a micro-ring CPO engine (searched: vendor CPO engine papers, OIF/IEEE CPO material,
// ring controller papers — the one micro-ring ER found, 4.1 dB for a 200 Gb/s PAM4 dual-segment
// ring with a co-designed driver, is a simulated device figure, not a controller set-point: Ma
// et al., Micromachines 17(3), 370, 2026, doi:10.3390/mi17030370, S), so the preset keeps the
// standard's 3.5 dB. [!shouldfail]: a plain check the day it passes.
TEST_CASE("CPO-100G's ring meets the DR extinction ratio on the cl. 121.8.4 runs (known deviation)",
          "[link][tiers][long][!shouldfail]") {
  check_dr_extinction({"cpo-100g"});
}

// The rings' lock is the pattern's, not the run's: taken before the first symbol on one whole
// PRBS13Q period (link/ring_lock.hpp), the same whatever the run's length (on the first chunk it
// was taken on min(2048, run) symbols), and the report describes that lock (the chain
// description is written after the run; before, it showed the ring not yet locked).
TEST_CASE("CPO rings lock on one whole pattern period, whatever the run's length, as reported",
          "[link][tiers]") {
  for (const std::string name : {"cpo-100g", "cpo-200g"}) {
    auto ring_of = [&](const char* symbols) {
      const LinkConfig config = parse_link_config(
          resolve_config(tier_preset(name), {"lanes.count=1", "analysis.sensitivity=false",
                                             "analysis.statistical_eye=false", symbols}));
      const LinkResult link = run_link(config, 1);
      for (const std::string& line : link.segments.back().lanes.at(0).chain_description) {
        if (line.rfind("mrm:", 0) == 0) return line;
      }
      FAIL("no ring in " << name);
      return std::string();
    };
    const std::string short_run = ring_of("signal.symbols=1024");
    INFO(short_run);
    CHECK(short_run.find("on the modulated levels of one whole pattern period: 1 run(s) of 6+ "
                         "bottom and 1 run(s) of 7+ top symbols") != std::string::npos);
    CHECK(ring_of("signal.symbols=3000") == short_run);
  }
}

// Known deviation: NPO's silicon MZM (VπL 1.8 V·cm, figures.md §2.3, U) is short for its drive:
// Vπ = 6 V (3 mm, 100G) and 9 V (2 mm, 200G) against the driver's ≈ 1.5 Vpp steady swing, so the
// outer levels sit close to quadrature and the waveform ER reads 3.04 dB (100G) and 1.97 dB
// (200G) against DR's 3.5 dB (400GBASE-DR4/800GBASE-DR8, figures.md §1.2/§1.4, V). A longer
// travelling-wave section (its bandwidth falls with length), a lower VπL or a larger swing
// closes it; none is sourced for this engine. [!shouldfail]: a plain check the day it passes.
TEST_CASE("NPO's MZM meets the DR extinction ratio at both lane rates (known deviation)",
          "[link][tiers][long][!shouldfail]") {
  check_dr_extinction({"npo-100g", "npo-200g"});
}

// The DR power windows (400GBASE-DR4 / 800GBASE-DR8 transmitter and receiver tables, figures.md
// §1.2 and §1.4, V; 802.3dj DR's receiver average power −6.3 to +4 dBm, §1.6, S; its launch
// limits were not retrieved, §1.6 takes DR4's as the template): average launch power −2.9 to
// 4.0 dBm, OMA(outer) −0.8 to 4.2 dBm, received average power at most 4.0 dBm. The ELS-fed
// tiers launched 7.8–8.0 dBm (received 6.6–6.8 dBm) with their former 17 dBm per lane (U);
// their ELS share is now a quarter of an OIF ELSFP VHP fibre (20 dBm, V) with the fibre-to-PIC
// edge couplers on both sides (1.5 dB, V). NPO's launch maximum is the known deviation below.
TEST_CASE("The ELS-fed tiers launch and receive inside the DR power windows",
          "[link][tiers][long]") {
  for (const std::string name : {"cpo-100g", "cpo-200g", "npo-100g", "npo-200g"}) {
    const TierTx t = tier_tx(name);
    const double launch = dbm(t.tx.average_power_w), oma = dbm(t.tx.oma_outer_w);
    const double received = launch - t.channel_loss_db;
    INFO(name << ": launch " << launch << " dBm, OMA " << oma << " dBm, received " << received
              << " dBm");
    if (name.rfind("cpo", 0) == 0) CHECK(launch <= 4.0);
    CHECK(launch >= -2.9);
    CHECK(oma <= 4.2);
    CHECK(oma >= -0.8);
    CHECK(received <= 4.0);
  }
}

// Known deviation: NPO's MZM biased at quadrature passes half the light on average, so with the
// same ELS share and couplers as CPO it launches 4.5 dBm, 0.5 dB over DR's 4.0 dBm (its
// received 3.3 dB is inside the window). The 1×4 splitter's excess loss (neglected, none
// retrieved) or an ELSFP class below VHP (classes 11–26 dBm, §2.2, values not retrieved) would
// close it. [!shouldfail]: fails (to be made a plain check) the day the preset meets it.
TEST_CASE("NPO launches at most DR's 4 dBm (known deviation)", "[link][tiers][long][!shouldfail]") {
  for (const std::string name : {"npo-100g", "npo-200g"}) {
    const double launch = dbm(tier_tx(name).tx.average_power_w);
    INFO(name << " launch " << launch << " dBm");
    CHECK(launch <= 4.0);
  }
}

// Known deviation: the EML tiers launch above the DR and FR4 windows' maxima. Their EML's CW
// section is 10 dBm (examples/eml-53g.yaml, not sourced), which after the modulator's bias loss
// gives an average launch of ≈ 4.5–4.7 dBm and OMA 4.1–5.7 dBm: over DR's 4.0 / 4.2 dBm
// (400GBASE-DR4 transmitter table, figures.md §1.2, V) and FR4's 3.5 / 3.7 dBm (400GBASE-FR4
// module datasheet listing the 802.3cu limits, Edgecore ET7502-FR4, S). A module is designed
// inside the window; the EML's output power should come from a cited EML TOSA figure (none
// retrieved: datasheets quote the standard's window, not the device's typical output). Lowering
// it costs ≈ 1 dB of margin, which every EML tier has (≥ 6.6 dB at 200G).
// [!shouldfail]: fails (to be made a plain check) the day the presets meet it.
TEST_CASE("The EML tiers launch inside the DR and FR4 power windows (known deviation)",
          "[link][tiers][long][!shouldfail]") {
  for (const std::string name :
       {"lpo-100g", "lpo-200g", "lro-100g", "lro-200g", "pluggable-dsp-100g", "pluggable-dsp-200g",
        "pluggable-dsp-fr4-100g", "pluggable-dsp-fr4-200g"}) {
    const TierTx t = tier_tx(name);
    const bool fr4 = name.find("fr4") != std::string::npos;
    const double launch = dbm(t.tx.average_power_w), oma = dbm(t.tx.oma_outer_w);
    INFO(name << ": launch " << launch << " dBm, OMA " << oma << " dBm");
    CHECK(launch <= (fr4 ? 3.5 : 4.0));
    CHECK(oma <= (fr4 ? 3.7 : 4.2));
    CHECK(launch >= (fr4 ? -3.3 : -2.9));
  }
}

// Published: LPO saves 40–65 % of a DSP pluggable's module power; CPO about 70 % of the
// pluggable path's communication power (switch SerDes to far switch SerDes, like for like).
// Known deviation (issue 7): LPO/DSP is 0.41 at 100G but 0.23 at 200G; CPO/pluggable is 0.30
// and 0.22 (CPO's ring driver at its sourced 0.16 W, its external laser source — a quarter of an
// ELSFP fibre per lane, 14 dBm — with its module's conversion and management; 0.38 and 0.26 at
// the former 17 dBm per lane). At 200G the DSP chip's converters cost twice per bit
// (dsp_power.hpp: energy per conversion ∝ f_s, the ADC survey's envelope) and 5 nm saves only
// 30 % on 7 nm, while the module optics per lane (driver, TIA, laser, TEC) stay flat — and those
// are short at both rates (the 100G anchors below). At 200G the TIA is a sourced 150 mW (the
// 66 GHz SiGe linear TIA, Garcia Lopez et al., IEEE JSSC, doi:10.1109/JSSC.2017.2782080); the
// rest is U (driver 224 mW, TEC 150 mW, laser at WPE 0.2) or S (90 % DC-DC), and 0.1 W
// management is not low (a module MCU draws ≈ 27 mW; docs/power.md lists what was searched).
// LPO/DSP ≥ 0.35 needs ≈ 0.50 W more per lane in the optics both modules share (the DSP module
// would then be 27.9 W and CPO/pluggable 0.22 at 17 dBm ELS); no single cited parameter closes
// it. Searched again for issue 7 (200G EML/MZM driver, EML bias and TEC, module DC-DC, 1.6T block
// splits; docs/power.md, "Searched again"): no figure found, so nothing was raised.
TEST_CASE(
    "LPO draws 0.35–0.6 of a DSP pluggable's module power at 100G, CPO 0.2–0.4 of the pluggable "
    "path's power at both rates (published claims, figures.md §3 and the tiers issue)",
    "[link][tiers][power][long]") {
  for (const std::string rate : {"100g", "200g"}) {
    INFO(rate);
    const TierResult& dsp = tiers().at("pluggable-dsp-" + rate);
    const TierResult& lpo = tiers().at("lpo-" + rate);
    const TierResult& cpo = tiers().at("cpo-" + rate);
    INFO("LPO/DSP module " << lpo.module_w / dsp.module_w << ", CPO/pluggable port "
                           << cpo.port_w / dsp.port_w);
    if (rate == "100g") {
      CHECK(lpo.module_w / dsp.module_w >= 0.35);
      CHECK(lpo.module_w / dsp.module_w <= 0.6);
    }
    CHECK(cpo.port_w / dsp.port_w >= 0.2);
    CHECK(cpo.port_w / dsp.port_w <= 0.4);
  }
}

// [!shouldfail]: the known deviation above, asserted as the target; fails (to be made a plain
// check) the day the model meets it.
TEST_CASE("LPO draws 0.35–0.6 of a DSP pluggable's module power at 200G (known deviation)",
          "[link][tiers][power][long][!shouldfail]") {
  const double ratio = tiers().at("lpo-200g").module_w / tiers().at("pluggable-dsp-200g").module_w;
  INFO("LPO/DSP module at 200G " << ratio);
  CHECK(ratio >= 0.35);
  CHECK(ratio <= 0.6);
}

// Known deviation (issue 7): the bottom-up model gives a 23.4 W module (−22 % of 30 W) with a
// 16.3 W DSP chip (within 12–18 W). Responsible: the module optics and overhead at 200G (driver
// 224 mW — 224–425 mW brackets a 200G linear driver, none retrieved —, EML TEC 150 mW and laser
// at WPE 0.2 per lane, U; TIA 150 mW, V; 0.1 W management, 90 % DC-DC), ≈ 4.6 W for eight
// lanes; the driver's upper bracket alone would give 25.2 W. The same module optics are short at
// 100G (the 800G tests below), so the DSP's rate scaling is not what is missing. The DSP range
// holds and is a plain check; the module's 30 W is [!shouldfail] (fails the day it is met).
TEST_CASE("A 1.6T DSP pluggable's DSP draws 12–18 W", "[link][tiers][power][long]") {
  const TierResult& p = tiers().at("pluggable-dsp-200g");
  INFO("DSP " << p.dsp_w << " W");
  CHECK(p.dsp_w >= 12.0);
  CHECK(p.dsp_w <= 18.0);
}

TEST_CASE("A 1.6T DSP pluggable draws about 30 W (±20 %) (known deviation)",
          "[link][tiers][power][long][!shouldfail]") {
  const TierResult& p = tiers().at("pluggable-dsp-200g");
  INFO("module " << p.module_w << " W");
  CHECK(p.module_w >= 24.0);
  CHECK(p.module_w <= 36.0);
}

// Published module powers at 100G/lane, where the DSP's rate scaling plays no part: NVIDIA's
// 800G twin-port DR8 OSFP (8 × 100G, DSP-retimed) draws 17 W in every configuration
// (MMS4X00-NS, docs.nvidia.com/networking/display/800gmms4x00nst/overview, V); first-generation
// 800G LPO modules draw 5–8 W (Adtran in gazettabyte.com, "Adtran breaks the 1W barrier with
// 800G linear pluggable optics", S). Known deviation (issue 7): the model's 800G DSP module is
// 11.8 W (7 nm DSP 6.7 W) and its LPO module 4.8 W: short at 100G as at 200G, so what
// is missing is in the module optics and overhead shared by both, not in the DSP's scaling to
// 106 GBd. [!shouldfail]: fail (to be made plain checks) the day the model meets them. The ±20 %
// is the issue's own tolerance on module power (the 1.6T module's 30 W).
TEST_CASE("An 800G DSP pluggable draws about 17 W (±20 %) (known deviation)",
          "[link][tiers][power][long][!shouldfail]") {
  const TierResult& p = tiers().at("pluggable-dsp-100g");
  INFO("module " << p.module_w << " W");
  CHECK(p.module_w >= 0.8 * 17.0);
  CHECK(p.module_w <= 1.2 * 17.0);
}

TEST_CASE("An 800G LPO module draws 5–8 W (known deviation)",
          "[link][tiers][power][long][!shouldfail]") {
  const TierResult& p = tiers().at("lpo-100g");
  INFO("module " << p.module_w << " W");
  CHECK(p.module_w >= 5.0);
  CHECK(p.module_w <= 8.0);
}

// The transmitter analysis of a tier at its preset's 4096 symbols (a noiseless pre-pass of one
// whole PRBS13Q period through the transmitter blocks, link/ring_lock.hpp) is the analysis of a
// run long enough to hold that period itself (12288 symbols), on the same window: the same
// numbers up to the round-off of the streaming filters (chunked vs one piece). CPO-200G's ring is
// the transmitter (its lock, taken before the run, is carried by the pre-pass's copy); NPO-100G's
// is a travelling-wave MZM behind a driver. The transmitter noise is measured on each run's own
// window (RIN and driver noise: a sampling error, not round-off), so TDECQ is not compared here;
// tests/link/test_tx_metrics.cpp compares it to round-off on a chain without noise.
TEST_CASE("A tier's Tx figures on the pre-pass equal those of a run holding the whole period",
          "[link][tiers][long]") {
  for (const std::string name : {"cpo-200g", "npo-100g"}) {
    const TxResult pre = tier_tx(name).tx;
    const TxResult own = tier_tx(name, {"signal.symbols=12288"}).tx;
    INFO(name << ": " << pre.method);
    REQUIRE(pre.pre_pass);
    REQUIRE_FALSE(own.pre_pass);
    REQUIRE(pre.first_symbol == own.first_symbol);
    REQUIRE(pre.symbols == own.symbols);
    REQUIRE(pre.whole_period);
    constexpr double round_off = 1e-9;  // sums of ~1e5 equal samples: far above round-off
    CHECK(pre.average_power_w == Approx(own.average_power_w).epsilon(round_off));
    CHECK(pre.oma_outer_w == Approx(own.oma_outer_w).epsilon(round_off));
    CHECK(pre.extinction_ratio_db == Approx(own.extinction_ratio_db).epsilon(round_off));
    CHECK(pre.rlm == Approx(own.rlm).epsilon(round_off));
    for (std::size_t l = 0; l < 4; ++l) {
      CHECK(pre.levels_w.at(l) == Approx(own.levels_w.at(l)).epsilon(round_off));
    }
  }
}
