#include "devices/dsp/retimer.hpp"

#include <fmt/format.h>

#include "devices/dsp/dsp_power.hpp"
#include "phy/errors.hpp"

namespace optilane {

RetimerParams RetimerParams::read(ParamReader& reader) {
  RetimerParams p;
  p.ffe_taps = static_cast<int>(reader.integer(
      "ffe", p.ffe_taps, "Receive FFE span in symbols (802.3dj COM reference Rx FFE: 16 taps)",
      Range::between(1, 256)));
  p.ffe_pre_taps = static_cast<int>(reader.integer(
      "pre_taps", p.ffe_pre_taps, "Receive FFE pre-cursor taps (802.3dj COM reference: 5)",
      Range::between(0, 255)));
  p.dfe_taps = static_cast<int>(reader.integer(
      "dfe", p.dfe_taps, "DFE taps, 0 for none (802.3dj COM reference: 1, b_max 0.85)",
      Range::between(0, 64)));
  p.mlse = reader.flag("mlse", false, "MLSE (Viterbi, 1+αD fitted) instead of the DFE");
  p.tx_ffe_taps = static_cast<int>(
      reader.integer("tx_ffe", p.tx_ffe_taps,
                     "Transmit FFE taps (power only; IEEE 802.3ck/dj transmitters have 4–5 taps)",
                     Range::between(0, 64)));
  p.inner_fec = reader.flag("inner_fec", false,
                            "Terminates the 802.3dj inner Hamming(128,120) code (113.4375 GBd "
                            "PMDs, figures.md §1.1)");
  p.tx_level_shaping = reader.flag(
      "tx_level_shaping", false,
      "Transmit level shaping of the line-side DAC: its two inner PAM4 levels are set so the "
      "optical transmitter of the segment it drives gives equally spaced settled levels (RLM 1 "
      "on the static curve; outer levels at full scale). Off: equally spaced DAC levels "
      "(link/level_shaping.hpp).");
  p.tx_rlm = reader.quantity(
      "tx_rlm", Dimension::dimensionless, 1.0,
      "Level separation mismatch ratio R_LM of the line-side DAC's PAM4 levels (−1, −R_LM/3, "
      "+R_LM/3, +1 of full scale: IEEE 802.3 Annex 93A.1.6), for the segment it drives; 1: "
      "equally spaced.",
      Range{.min = 0.0, .max = 1.0, .min_exclusive = true});
  if (p.tx_rlm != 1.0 && p.tx_level_shaping) {
    reader.fail("tx_rlm", "tx_level_shaping sets the inner levels itself; give one of the two");
  }
  p.node_m = reader.quantity("node", Dimension::length, p.node_m,
                             "CMOS node of the DSP power model (devices/dsp/dsp_power.hpp; 1.6T "
                             "DSPs are 5 nm, their successors 3 nm: figures.md §3)",
                             Range::positive());
  if (p.ffe_pre_taps >= p.ffe_taps) reader.fail("pre_taps", "pre_taps must be smaller than ffe");
  if (p.mlse && p.dfe_taps > 0) {
    reader.fail("mlse", "a retimer uses a DFE or an MLSE, not both (set dfe: 0)");
  }
  return p;
}

Retimer::Retimer(const RetimerParams& params) : params_(params) {
  if (params_.ffe_taps < 1) throw ParameterError("ffe", "retimer.ffe must be >= 1");
  if (params_.ffe_pre_taps < 0 || params_.ffe_pre_taps >= params_.ffe_taps) {
    throw ParameterError("pre_taps", "retimer.pre_taps must be in [0, ffe)");
  }
  if (params_.dfe_taps < 0) throw ParameterError("dfe", "retimer.dfe must be >= 0");
  if (params_.mlse && params_.dfe_taps > 0) {
    throw ParameterError("mlse", "retimer: a DFE or an MLSE, not both");
  }
  if (!(params_.node_m > 0.0)) throw ParameterError("node", "retimer.node must be > 0");
}

void Retimer::contribute(RxDspSettings& settings) const {
  settings.spacing = 1;
  settings.ffe_pre_taps = params_.ffe_pre_taps;
  settings.ffe_post_taps = params_.ffe_taps - params_.ffe_pre_taps - 1;
  settings.dfe_taps = params_.dfe_taps;
  settings.mlse = params_.mlse;
}

double Retimer::receive_pj_per_bit() const {
  const double node_nm = params_.node_m * 1e9;
  const double rs = lane_.symbol_rate_bd;
  const double equaliser =
      params_.mlse ? dsp_energy_pj_per_bit(DspFunction::mlse, node_nm, rs)
                   : params_.dfe_taps * dsp_energy_pj_per_bit(DspFunction::dfe_tap, node_nm, rs);
  return dsp_energy_pj_per_bit(DspFunction::adc, node_nm, rs) +
         params_.ffe_taps * dsp_energy_pj_per_bit(DspFunction::ffe_tap, node_nm, rs) + equaliser +
         dsp_energy_pj_per_bit(DspFunction::cdr, node_nm, rs);
}

double Retimer::transmit_pj_per_bit() const {
  const double node_nm = params_.node_m * 1e9;
  const double rs = lane_.symbol_rate_bd;
  return dsp_energy_pj_per_bit(DspFunction::dac, node_nm, rs) +
         params_.tx_ffe_taps * dsp_energy_pj_per_bit(DspFunction::tx_ffe_tap, node_nm, rs);
}

double Retimer::fec_pj_per_bit() const {
  return params_.inner_fec ? dsp_energy_pj_per_bit(DspFunction::fec_inner_hamming,
                                                   params_.node_m * 1e9, lane_.symbol_rate_bd)
                           : 0.0;
}

std::string Retimer::describe() const {
  return fmt::format(
      "retimer: {}-tap FFE ({} pre), {}, {}-tap Tx FFE{}{}, {:.0f} nm", params_.ffe_taps,
      params_.ffe_pre_taps,
      params_.mlse ? std::string("MLSE") : fmt::format("{}-tap DFE", params_.dfe_taps),
      params_.tx_ffe_taps, params_.tx_level_shaping ? ", Tx level shaping" : "",
      params_.inner_fec ? ", inner FEC" : "", params_.node_m * 1e9);
}

std::vector<PowerItem> Retimer::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::dsp, power_included_in())};
  const double rb = lane_.bit_rate_bps();
  std::vector<PowerItem> items;
  items.push_back(
      {PowerCategory::dsp, receive_pj_per_bit() * 1e-12 * rb,
       fmt::format(
           "receive: ADC + {} FFE taps + {} + CDR = {:.2f} pJ/bit", params_.ffe_taps,
           params_.mlse ? std::string("MLSE") : fmt::format("{} DFE taps", params_.dfe_taps),
           receive_pj_per_bit())});
  items.push_back({PowerCategory::dsp, transmit_pj_per_bit() * 1e-12 * rb,
                   fmt::format("transmit: DAC + {} Tx FFE taps = {:.2f} pJ/bit",
                               params_.tx_ffe_taps, transmit_pj_per_bit())});
  if (params_.inner_fec) {
    items.push_back({PowerCategory::dsp, fec_pj_per_bit() * 1e-12 * rb,
                     fmt::format("inner Hamming(128,120) = {:.2f} pJ/bit", fec_pj_per_bit())});
  }
  return items;
}

}  // namespace optilane
