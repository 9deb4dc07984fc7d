#include "devices/dsp/adc.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "devices/dsp/dsp_power.hpp"
#include "phy/errors.hpp"

namespace optilane {

AdcParams AdcParams::read(ParamReader& reader) {
  AdcParams p;
  p.enob = reader.quantity("enob", Dimension::dimensionless, p.enob,
                           "Effective number of bits: quantisation noise σ = FS/(√12·2^ENOB) "
                           "(Walden 1999). Default 6 (112G-class receiver ADCs report 5–6.5; "
                           "recollection, unverified).",
                           Range::between(1.0, 16.0));
  p.full_scale_v = reader.quantity("full_scale", Dimension::voltage, p.full_scale_v,
                                   "Peak-to-peak input range; the input is clipped to it. "
                                   "Default 0.8 V (recollection, unverified).",
                                   Range::positive());
  p.offset_v = reader.quantity("offset", Dimension::voltage, p.offset_v,
                               "Centre of the input range (the TIA output's common level).");
  p.node_m = reader.quantity("node", Dimension::length, p.node_m,
                             "CMOS node of the DSP power model (devices/dsp/dsp_power.hpp).",
                             Range::positive());
  return p;
}

AdcBlock::AdcBlock(const AdcParams& params) : params_(params) {
  if (!(params_.enob >= 1.0 && params_.enob <= 16.0)) {
    throw ParameterError("enob", fmt::format("adc.enob = {} must be in [1, 16]", params_.enob));
  }
  if (!(params_.full_scale_v > 0.0) || !std::isfinite(params_.full_scale_v)) {
    throw ParameterError("full_scale",
                         fmt::format("adc.full_scale = {} V must be > 0", params_.full_scale_v));
  }
  if (!std::isfinite(params_.offset_v)) {
    throw ParameterError("offset", "adc.offset must be finite");
  }
}

void AdcBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
}

double AdcBlock::quantization_rms_v() const {
  return params_.full_scale_v / (std::sqrt(12.0) * std::pow(2.0, params_.enob));
}

void AdcBlock::process(Signal& chunk) {
  if (chunk.domain != Domain::electrical) return;  // checked when the chain is built
  const double lo = params_.offset_v - 0.5 * params_.full_scale_v;
  const double hi = params_.offset_v + 0.5 * params_.full_scale_v;
  for (double& v : chunk.electrical) v = std::clamp(v, lo, hi);
  if (!noise_enabled(NoiseKind::quantization)) return;
  const double sigma = quantization_rms_v();
  RandomStream stream = noise_stream(chunk);
  for (double& v : chunk.electrical) v += sigma * stream.gaussian();
}

std::string AdcBlock::describe() const {
  return fmt::format("adc: ENOB {:.2f}, full scale {:.3g} Vpp about {:.3g} V (σ_q = {:.3g} mV)",
                     params_.enob, params_.full_scale_v, params_.offset_v,
                     quantization_rms_v() * 1e3);
}

std::vector<PowerItem> AdcBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::dsp, power_included_in())};
  const double node_nm = params_.node_m * 1e9;
  const double pj = dsp_energy_pj_per_bit(DspFunction::adc, node_nm, lane_.symbol_rate_bd);
  return {{PowerCategory::dsp, pj * 1e-12 * lane_.bit_rate_bps(),
           fmt::format("ADC at {:.0f} nm: {:.2f} pJ/bit", node_nm, pj)}};
}

}  // namespace optilane
