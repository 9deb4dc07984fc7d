#include "devices/dsp/rx_dsp_blocks.hpp"

#include <cmath>

#include <fmt/format.h>

#include "devices/dsp/dsp_power.hpp"
#include "phy/errors.hpp"

namespace optilane {
namespace {

constexpr std::string_view node_doc =
    "CMOS node of the DSP power model (devices/dsp/dsp_power.hpp; anchored to a 4.8 pJ/bit 14 nm "
    "ADC-DSP receiver, IBM A-SSCC 2019, scaled linearly with the node)";

PowerItem dsp_power(const LaneContext& lane, double pj_per_bit, std::string note) {
  return {PowerCategory::dsp, pj_per_bit * 1e-12 * lane.bit_rate_bps(), std::move(note)};
}

}  // namespace

FfeParams FfeParams::read(ParamReader& reader) {
  FfeParams p;
  p.taps = static_cast<int>(
      reader.integer("taps", 8, "FFE span in symbols, pre + 1 + post (802.3dj COM reference: 16)",
                     Range::between(1, 256)));
  p.pre_taps = static_cast<int>(
      reader.integer("pre_taps", 2, "pre-cursor taps, in symbols", Range::between(0, 255)));
  const std::string spacing =
      reader.choice("spacing", "T", {"T", "T/2"}, "tap spacing: T (symbol) or T/2 (fractional)");
  p.spacing = spacing == "T" ? 1 : 2;
  const std::string adapt = reader.choice(
      "adapt", "mmse", {"mmse", "lms", "sign_sign_lms"},
      "tap solution: MMSE (Wiener, from the noiseless record and the measured noise) or LMS / "
      "sign-sign LMS adaptation on the noisy record (Haykin, Adaptive Filter Theory, §6)");
  p.adaptation = adapt == "mmse"  ? FfeAdaptation::mmse
                 : adapt == "lms" ? FfeAdaptation::lms
                                  : FfeAdaptation::sign_sign_lms;
  p.step = reader.quantity(
      "step", Dimension::dimensionless, p.step,
      "LMS step μ, normalised by the average input power (0 < μ < 2): steady-state excess MSE "
      "μ/2 over Wiener (Haykin §6.5); the convergence check asks for ≤ 3·μ/2. Sign-sign LMS: "
      "tap increments of μ/500",
      Range::between(1e-9, 1.999));
  p.node_m = reader.quantity("node", Dimension::length, 7e-9, node_doc, Range::positive());
  if (p.pre_taps >= p.taps) reader.fail("pre_taps", "pre_taps must be smaller than taps");
  return p;
}

FfeBlock::FfeBlock(const FfeParams& params) : params_(params) {
  if (params_.taps < 1) throw ParameterError("taps", "ffe.taps must be >= 1");
  if (params_.pre_taps < 0 || params_.pre_taps >= params_.taps) {
    throw ParameterError("pre_taps", "ffe.pre_taps must be in [0, taps)");
  }
  if (params_.spacing != 1 && params_.spacing != 2) {
    throw ParameterError("spacing", "ffe.spacing must be T or T/2");
  }
  if (!(params_.step > 0.0 && params_.step < 2.0)) {
    throw ParameterError("step", "ffe.step must be in (0, 2)");
  }
}

void FfeBlock::contribute(RxDspSettings& settings) const {
  settings.spacing = params_.spacing;
  settings.ffe_pre_taps = params_.pre_taps;
  settings.ffe_post_taps = params_.taps - params_.pre_taps - 1;
  settings.adaptation = params_.adaptation;
  settings.lms_step = params_.step;
}

std::string FfeBlock::describe() const {
  return fmt::format("ffe: {} taps ({} pre), {}-spaced, {}", params_.taps * params_.spacing,
                     params_.pre_taps, params_.spacing == 1 ? "T" : "T/2",
                     params_.adaptation == FfeAdaptation::mmse  ? "MMSE"
                     : params_.adaptation == FfeAdaptation::lms ? "LMS"
                                                                : "sign-sign LMS");
}

std::vector<PowerItem> FfeBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::dsp, power_included_in())};
  const double node_nm = params_.node_m * 1e9;
  const int taps = params_.taps * params_.spacing;
  const double pj =
      taps * dsp_energy_pj_per_bit(DspFunction::ffe_tap, node_nm, lane_.symbol_rate_bd) +
      dsp_energy_pj_per_bit(DspFunction::adc, node_nm, lane_.symbol_rate_bd);
  return {dsp_power(
      lane_, pj, fmt::format("ADC + {} FFE taps at {:.0f} nm: {:.2f} pJ/bit", taps, node_nm, pj))};
}

DfeParams DfeParams::read(ParamReader& reader) {
  DfeParams p;
  p.taps = static_cast<int>(
      reader.integer("taps", 1, "DFE feedback taps (802.3dj COM reference: 1, b_max 0.85)",
                     Range::between(1, 64)));
  p.node_m = reader.quantity("node", Dimension::length, 7e-9, node_doc, Range::positive());
  return p;
}

DfeBlock::DfeBlock(const DfeParams& params) : params_(params) {
  if (params_.taps < 1) throw ParameterError("taps", "dfe.taps must be >= 1");
}

std::string DfeBlock::describe() const {
  return fmt::format("dfe: {} taps, decisions fed back (error propagation in Monte-Carlo)",
                     params_.taps);
}

std::vector<PowerItem> DfeBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::dsp, power_included_in())};
  const double node_nm = params_.node_m * 1e9;
  const double pj =
      params_.taps * dsp_energy_pj_per_bit(DspFunction::dfe_tap, node_nm, lane_.symbol_rate_bd);
  return {dsp_power(lane_, pj, fmt::format("{} DFE taps at {:.0f} nm", params_.taps, node_nm))};
}

MlseParams MlseParams::read(ParamReader& reader) {
  MlseParams p;
  p.alpha = reader.quantity("alpha", Dimension::dimensionless, -1.0,
                            "1+αD partial-response target, 0…1; negative: fitted from the "
                            "sampled pulse response (α = h1/h0)",
                            Range::between(-1.0, 1.0));
  p.traceback = static_cast<int>(
      reader.integer("traceback", 48, "Viterbi decision delay, symbols", Range::between(4, 1024)));
  p.node_m = reader.quantity("node", Dimension::length, 7e-9, node_doc, Range::positive());
  return p;
}

MlseBlock::MlseBlock(const MlseParams& params) : params_(params) {
  if (params_.alpha > 1.0) throw ParameterError("alpha", "mlse.alpha must be <= 1");
  if (params_.traceback < 4) throw ParameterError("traceback", "mlse.traceback must be >= 4");
}

void MlseBlock::contribute(RxDspSettings& settings) const {
  settings.mlse = true;
  settings.mlse_alpha = params_.alpha;
  settings.mlse_traceback = params_.traceback;
}

std::string MlseBlock::describe() const {
  return params_.alpha < 0 ? std::string("mlse: Viterbi, 1+αD target, α fitted")
                           : fmt::format("mlse: Viterbi, 1+{:.2f}D target", params_.alpha);
}

std::vector<PowerItem> MlseBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::dsp, power_included_in())};
  const double node_nm = params_.node_m * 1e9;
  const double pj = dsp_energy_pj_per_bit(DspFunction::mlse, node_nm, lane_.symbol_rate_bd);
  return {dsp_power(lane_, pj, fmt::format("4-state Viterbi at {:.0f} nm", node_nm))};
}

CdrParams CdrParams::read(ParamReader& reader) {
  CdrParams p;
  const std::string kind = reader.choice(
      "kind", "mueller_muller", {"mueller_muller", "bang_bang", "optimum"},
      "phase detector: Mueller-Muller type A (Mueller & Muller 1976), bang-bang (Alexander "
      "1975, PAM4 symmetric transitions), or the optimum-phase search");
  p.kind = kind == "mueller_muller" ? CdrKind::mueller_muller
           : kind == "bang_bang"    ? CdrKind::bang_bang
                                    : CdrKind::optimum;
  p.gain = reader.quantity("gain", Dimension::dimensionless, p.gain,
                           "loop gain: UI per normalised MM error; a bang-bang step is gain/4 UI",
                           Range::between(1e-6, 0.5));
  p.start_ui = reader.quantity("start_phase", Dimension::dimensionless, p.start_ui,
                               "initial phase from the slicer's optimum instant, UI",
                               Range::between(-0.5, 0.5));
  p.node_m = reader.quantity("node", Dimension::length, 7e-9, node_doc, Range::positive());
  return p;
}

CdrBlock::CdrBlock(const CdrParams& params) : params_(params) {
  if (!(params_.gain > 0.0 && params_.gain <= 0.5)) {
    throw ParameterError("gain", "cdr.gain must be in (0, 0.5]");
  }
  if (!(std::abs(params_.start_ui) <= 0.5)) {
    throw ParameterError("start_phase", "cdr.start_phase must be within ±0.5 UI");
  }
}

void CdrBlock::contribute(RxDspSettings& settings) const {
  settings.cdr = {.kind = params_.kind, .gain = params_.gain, .start_ui = params_.start_ui};
}

std::string CdrBlock::describe() const {
  return fmt::format("cdr: {}, gain {:.3g}, start {:+.2f} UI", cdr_kind_name(params_.kind),
                     params_.gain, params_.start_ui);
}

std::vector<PowerItem> CdrBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::dsp, power_included_in())};
  const double node_nm = params_.node_m * 1e9;
  const double pj = dsp_energy_pj_per_bit(DspFunction::cdr, node_nm, lane_.symbol_rate_bd);
  return {dsp_power(lane_, pj, fmt::format("CDR at {:.0f} nm", node_nm))};
}

}  // namespace optilane
