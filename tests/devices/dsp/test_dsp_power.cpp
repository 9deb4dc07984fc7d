// Tests of the DSP power model (devices/dsp/dsp_power.hpp): the node law reproduces the foundry
// figures it is built from, the converter rate law the ADC survey's FoM_S envelope, and the
// anchor is returned unchanged at its own node and rate.
#include <catch2/catch.hpp>

#include <cmath>

#include "devices/dsp/dsp_power.hpp"

using namespace optilane;

namespace {
// Products and ratios of a few doubles: only rounding separates them.
constexpr double rounding = 1e-12;
constexpr double anchor_rate = 28e9;  // IBM A-SSCC 2019: 56 Gb/s PAM4
}  // namespace

TEST_CASE("At its own node and rate the model returns the 14 nm anchor's split of 4.8 pJ/bit",
          "[devices][dsp][power]") {
  CHECK(node_energy_scale(14.0) == Approx(1.0).epsilon(rounding));
  CHECK(node_energy_scale(16.0) == Approx(1.0).epsilon(rounding));
  CHECK(converter_rate_scale(anchor_rate) == Approx(1.0).epsilon(rounding));
  // ADC 40 % + 16 FFE taps 35 % + 1 DFE tap 5 % + CDR 10 % = 90 % of the anchor.
  const double rx = dsp_energy_pj_per_bit(DspFunction::adc, 14.0, anchor_rate) +
                    16 * dsp_energy_pj_per_bit(DspFunction::ffe_tap, 14.0, anchor_rate) +
                    dsp_energy_pj_per_bit(DspFunction::dfe_tap, 14.0, anchor_rate) +
                    dsp_energy_pj_per_bit(DspFunction::cdr, 14.0, anchor_rate);
  CHECK(rx == Approx(0.9 * 4.8).epsilon(rounding));
  // IBM VLSI 2018: 8 Tx FFE taps at 0.3 pJ/bit.
  CHECK(8 * dsp_energy_pj_per_bit(DspFunction::tx_ffe_tap, 14.0, 56e9) ==
        Approx(0.3).epsilon(rounding));
}

TEST_CASE("Node scaling follows the foundry's iso-speed power steps, not the node's name",
          "[devices][dsp][power]") {
  // N7 60 % below 16FF+, N5 30 % below N7, N3 27.5 % below N5 (the header's sources).
  CHECK(node_energy_scale(7.0) == Approx(0.40).epsilon(rounding));
  CHECK(node_energy_scale(5.0) / node_energy_scale(7.0) == Approx(0.70).epsilon(rounding));
  CHECK(node_energy_scale(3.0) / node_energy_scale(5.0) == Approx(0.725).epsilon(rounding));
  // Not linear in the name: 5 → 3 nm saves less than 3/5 would say.
  CHECK(node_energy_scale(3.0) / node_energy_scale(5.0) > 3.0 / 5.0);
  // N10 by interpolation against TSMC's "N7 40 % below N10" (0.667): within 5 %.
  CHECK(node_energy_scale(7.0) / node_energy_scale(10.0) == Approx(0.6).epsilon(0.05));
  // Monotonic (flat over the 14–16 nm class) across and beyond the table.
  double previous = 0.0;
  for (double node = 2.0; node <= 28.0; node += 0.5) {
    const double s = node_energy_scale(node);
    CHECK(s >= previous);
    previous = s;
  }
}

TEST_CASE(
    "Converter energy per bit follows the ADC survey's FoM_S envelope: ∝ f_s far above 47 MHz",
    "[devices][dsp][power]") {
  // E ∝ √(1 + (f_s/f_c)²): doubling a symbol rate of tens of GBd doubles it within 1e-6.
  CHECK(converter_rate_scale(106.25e9) / converter_rate_scale(53.125e9) ==
        Approx(2.0).epsilon(1e-6));
  const double x0 = anchor_rate / adc_fom_corner_hz;
  const double x1 = 1e8 / adc_fom_corner_hz;
  CHECK(converter_rate_scale(1e8) ==
        Approx(std::sqrt(1 + x1 * x1) / std::sqrt(1 + x0 * x0)).epsilon(rounding));
  // DAC costed as the ADC; digital functions do not depend on the rate.
  CHECK(dsp_energy_pj_per_bit(DspFunction::dac, 5.0, 106.25e9) ==
        dsp_energy_pj_per_bit(DspFunction::adc, 5.0, 106.25e9));
  CHECK(dsp_energy_pj_per_bit(DspFunction::ffe_tap, 5.0, 106.25e9) ==
        dsp_energy_pj_per_bit(DspFunction::ffe_tap, 5.0, 53.125e9));
}
