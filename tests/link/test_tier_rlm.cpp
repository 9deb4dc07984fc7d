// Transmitter level mismatch (RLM, IEEE 802.3 cl. 120.5.11.2.2 / 120D.3.1.2, phy/analysis/tdecq)
// of the optical tier presets (examples/tiers/), measured on each tier's transmitter waveform
// (levels of three-symbol runs at the eye centre after the reference receiver).
//
// The limit, RLM ≥ 0.95: the level-separation mismatch ratio minimum of PAM4 transmitters in the
// OIF CEI-56G-MR transmitter table (T_RLM min 0.95, Intel's CEI-56G-MR interface guide reproducing
// it, V: intel.com/content/www/us/en/docs/programmable/683852/current/transmitter-
// characteristics.html) and of PCIe 6/7 (RLM at least 0.95, MathWorks SerDes "Calculate SNDR and
// RLM" example, V). For the IEEE 802.3 optical DR/FR PMDs no RLM limit was retrieved: the
// datasheets that reproduce the 400GBASE-DR4 (cl. 124) and 400GBASE-FR4 (cl. 151) transmitter
// tables (figures.md §1.2, §1.3, V) list no RLM row — their TDECQ carries level mismatch — and
// a 0.95 minimum for the optical PMDs is a recollection only (U). 0.95 is held here as what a
// compliant PAM4 transmitter delivers, not as a quoted optical clause.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/tiers.hpp"
#include "tests/support/tier_helpers.hpp"

using namespace optilane;

namespace {

constexpr double rlm_min = 0.95;

/// RLM of lane 0's optical transmitter (the segment holding the photodetector).
double tier_rlm(const std::string& name) {
  return test::tier_tx(name).tx.rlm;
}

void check_rlm(const std::vector<std::string>& names) {
  for (const auto& name : names) {
    const double rlm = tier_rlm(name);
    INFO(name << " RLM " << rlm);
    CHECK(rlm >= rlm_min);
  }
}

}  // namespace

// The DSP tiers' module DSP shapes its line-side DAC levels for the EML (retimer
// `tx_level_shaping`, link/level_shaping.hpp): RLM was 0.52–0.64 with equally spaced levels.
TEST_CASE("The DSP tiers' EML transmitters meet RLM >= 0.95 at both lane rates",
          "[link][tiers][rlm][long]") {
  check_rlm({"pluggable-dsp-100g", "pluggable-dsp-200g", "pluggable-dsp-fr4-100g",
             "pluggable-dsp-fr4-200g", "lro-100g", "lro-200g"});
}

// NPO's silicon MZM at quadrature compresses the outer levels (RLM = 2 − 3·sin(πa/3)/sin(πa),
// a = V_pp/2Vπ, devices/modulators/mzm.hpp), but its ≈ 1.5 Vpp drive is small against Vπ = 6 V
// (100G) and 9 V (200G): 0.98 and 0.97 unshaped, without pre-distortion.
TEST_CASE("NPO's MZM transmitters meet RLM >= 0.95 at both lane rates",
          "[link][tiers][rlm][long]") {
  check_rlm({"npo-100g", "npo-200g"});
}

// Known deviation: LPO has no DSP in the module; its EML is driven by the host SerDes through the
// host channel and a linear driver, and RLM reads 0.58 (100G) and 0.64 (200G). Whether LPO hosts
// pre-compensate the module's static nonlinearity (SerDes transmit level adjustment) was
// searched and not found: the LPO MSA's 100G-DR-LPO specification was found only in summaries,
// and the one LPO text on memoryless nonlinearity (US 2026/0142729 A1, abstract, V) measures the
// module's distortion, it does not say hosts correct it. So `level_shaping` is not set on the
// LPO host (serdes_tx has no such key either). [!shouldfail]: a plain check the day it passes.
TEST_CASE("LPO's EML transmitters meet RLM >= 0.95 (known deviation)",
          "[link][tiers][rlm][long][!shouldfail]") {
  check_rlm({"lpo-100g", "lpo-200g"});
}

// Known deviation: CPO's micro-ring (cpo-*.yaml, devices/modulators/mrm.hpp) is driven by the
// switch's XSR SerDes through a CMOS ring driver, with no DSP of its own; the ring's Lorentzian
// flank spaces the levels unevenly: RLM 0.75 (100G) and 0.80 (200G) with the ring locked on its
// modulated levels (0.75 and 0.84 before that lock). Ring transmitters can shape their levels:
// by pre-compensating the drive from the ring's model (Wang, Cartledge & Chan, "Pre-compensation
// of nonlinear distortion of a silicon microring modulator using back-calculation", 28 GBd PAM4,
// V: abstract and introduction retrieved), or with a segmented driver (an electrical DAC of 30
// slices) or a 16-segment ring (an optical DAC), as a thesis chapter on MRM PAM4 links
// summarises (V). Setting `signal.level_shaping` on the CPO presets (link/level_shaping.hpp)
// would model that; it is left to the ring-lock work on those presets (their bias point sets the
// curve being shaped). [!shouldfail]: a plain check the day it passes.
TEST_CASE("CPO's ring transmitters meet RLM >= 0.95 (known deviation)",
          "[link][tiers][rlm][long][!shouldfail]") {
  check_rlm({"cpo-100g", "cpo-200g"});
}
