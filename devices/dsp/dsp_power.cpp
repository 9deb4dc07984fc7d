#include "devices/dsp/dsp_power.hpp"

#include <array>
#include <cmath>
#include <utility>

namespace optilane {

namespace {

constexpr double anchor_pj_per_bit = 4.8;  // IBM A-SSCC 2019, 14 nm, ADC + DSP data path (V)
constexpr double tx_ffe_anchor_pj_per_bit = 0.3 / 8.0;  // IBM VLSI 2018, 14 nm, per tap (V)

// (node in nm, energy per operation relative to 16 nm) from the foundry figures in the header.
// 14 and 16 nm are one FinFET class (the anchor's); between table points, log-log.
constexpr std::array<std::pair<double, double>, 5> node_table{{
    {3.0, 0.40 * 0.70 * 0.725},  // N3: 25–30 % below N5 (S)
    {5.0, 0.40 * 0.70},          // N5: 30 % below N7 (V)
    {7.0, 0.40},                 // N7: 60 % below 16FF+ (S)
    {14.0, 1.0},                 // 14 nm FinFET (IBM's anchor) = 16FF+ class (U)
    {16.0, 1.0},                 // 16FF+
}};

}  // namespace

double node_energy_scale(double node_nm) {
  const auto& first = node_table.front();
  const auto& last = node_table.back();
  // Outside the table: classical C·V² ∝ feature size (U).
  if (node_nm <= first.first) return first.second * node_nm / first.first;
  if (node_nm >= last.first) return last.second * node_nm / last.first;
  for (std::size_t i = 1; i < node_table.size(); ++i) {
    const auto& [n1, s1] = node_table[i];
    if (node_nm > n1) continue;
    const auto& [n0, s0] = node_table[i - 1];
    const double t = std::log(node_nm / n0) / std::log(n1 / n0);
    return s0 * std::pow(s1 / s0, t);
  }
  return last.second;
}

double converter_rate_scale(double symbol_rate_bd) {
  auto energy_per_conversion = [](double fs) {
    const double x = fs / adc_fom_corner_hz;
    return std::sqrt(1.0 + x * x);
  };
  return energy_per_conversion(symbol_rate_bd) / energy_per_conversion(dsp_anchor_symbol_rate_bd);
}

double dsp_energy_pj_per_bit(DspFunction function, double node_nm, double symbol_rate_bd) {
  double at_anchor = 0.0;
  double rate = 1.0;
  switch (function) {
    case DspFunction::adc:
    case DspFunction::dac:
      at_anchor = 0.40 * anchor_pj_per_bit;
      rate = converter_rate_scale(symbol_rate_bd);
      break;
    case DspFunction::ffe_tap:
      at_anchor = 0.35 * anchor_pj_per_bit / 16.0;
      break;
    case DspFunction::tx_ffe_tap:
      at_anchor = tx_ffe_anchor_pj_per_bit;
      break;
    case DspFunction::dfe_tap:
      at_anchor = 0.05 * anchor_pj_per_bit;
      break;
    case DspFunction::mlse:
      at_anchor = 8.0 * 0.35 * anchor_pj_per_bit / 16.0;
      break;
    case DspFunction::cdr:
      at_anchor = 0.10 * anchor_pj_per_bit;
      break;
    case DspFunction::fec_kp4:
      at_anchor = 0.5;
      break;
    case DspFunction::fec_inner_hamming:
      at_anchor = 0.15;
      break;
  }
  return at_anchor * node_energy_scale(node_nm) * rate;
}

}  // namespace optilane
