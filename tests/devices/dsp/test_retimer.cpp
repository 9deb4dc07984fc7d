// Tests of the retimer block (devices/dsp/retimer.hpp).
#include <catch2/catch.hpp>

#include "devices/dsp/dsp_power.hpp"
#include "devices/dsp/retimer.hpp"
#include "phy/errors.hpp"

using namespace optilane;

namespace {
// Sums of a few doubles: only rounding separates them.
constexpr double rounding = 1e-12;

LaneContext lane_200g() {
  LaneContext lane;
  lane.symbol_rate_bd = 106.25e9;
  lane.bits_per_symbol = 2;
  return lane;
}
}  // namespace

TEST_CASE("Retimer refuses a DFE together with an MLSE, and pre-taps outside its FFE",
          "[devices][dsp][retimer]") {
  CHECK_THROWS_AS(Retimer(RetimerParams{.dfe_taps = 1, .mlse = true}), ParameterError);
  CHECK_THROWS_AS(Retimer(RetimerParams{.ffe_taps = 4, .ffe_pre_taps = 4}), ParameterError);
  CHECK_THROWS_AS(Retimer(RetimerParams{.node_m = 0.0}), ParameterError);
}

TEST_CASE(
    "Retimer power is the receive path (ADC, FFE, DFE, CDR) plus the transmit path (DAC, "
    "Tx FFE) at the line bit rate",
    "[devices][dsp][retimer]") {
  Retimer retimer(RetimerParams{
      .ffe_taps = 16, .ffe_pre_taps = 5, .dfe_taps = 1, .tx_ffe_taps = 4, .node_m = 5e-9});
  retimer.prepare(lane_200g());
  const double n = 5.0;
  const double rs = 106.25e9;
  const double rx = dsp_energy_pj_per_bit(DspFunction::adc, n, rs) +
                    16 * dsp_energy_pj_per_bit(DspFunction::ffe_tap, n, rs) +
                    dsp_energy_pj_per_bit(DspFunction::dfe_tap, n, rs) +
                    dsp_energy_pj_per_bit(DspFunction::cdr, n, rs);
  const double tx = dsp_energy_pj_per_bit(DspFunction::dac, n, rs) +
                    4 * dsp_energy_pj_per_bit(DspFunction::tx_ffe_tap, n, rs);
  double total = 0.0;
  for (const auto& item : retimer.power()) {
    CHECK(item.category == PowerCategory::dsp);
    total += item.power_w;
  }
  CHECK(total == Approx((rx + tx) * 1e-12 * 212.5e9).epsilon(rounding));
}

TEST_CASE("Retimer contributes its FFE/DFE to the receiver pipeline and clones identically",
          "[devices][dsp][retimer]") {
  Retimer retimer(RetimerParams{.ffe_taps = 12, .ffe_pre_taps = 3, .dfe_taps = 2});
  RxDspSettings settings;
  retimer.contribute(settings);
  CHECK(settings.ffe_pre_taps == 3);
  CHECK(settings.ffe_post_taps == 8);
  CHECK(settings.dfe_taps == 2);
  CHECK_FALSE(settings.mlse);
  CHECK(retimer.clone()->describe() == retimer.describe());
}
