#include "devices/dsp/dsp_power.hpp"

namespace optilane {

double dsp_energy_pj_per_bit(DspFunction function, double node_nm) {
  constexpr double anchor_pj_per_bit = 4.8;  // IBM A-SSCC 2019, 14 nm, ADC + DSP data path
  constexpr double anchor_node_nm = 14.0;
  const double scale = node_nm / anchor_node_nm;
  double at_anchor = 0.0;
  switch (function) {
    case DspFunction::adc:
      at_anchor = 0.40 * anchor_pj_per_bit;
      break;
    case DspFunction::ffe_tap:
      at_anchor = 0.35 * anchor_pj_per_bit / 16.0;
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
  return at_anchor * scale;
}

}  // namespace optilane
