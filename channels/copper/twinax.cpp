#include "channels/copper/twinax.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"

namespace optilane {

namespace {
constexpr double db_per_neper = 8.685889638065035;  // 20 / ln 10
}

std::pair<double, double> TwinaxParams::gauge_fit(int gauge_awg) {
  if (gauge_awg == 26) return {1.158, 0.0105};
  if (gauge_awg == 30) return {1.72, 0.002};
  throw ParameterError("gauge", fmt::format("twinax.gauge = {} AWG has no fit (26 or 30; or give "
                                            "loss_sqrt_f and loss_f)",
                                            gauge_awg));
}

TwinaxParams TwinaxParams::read(ParamReader& reader) {
  TwinaxParams p;
  p.gauge_awg = static_cast<int>(reader.integer(
      "gauge", 26, "Wire gauge, AWG (26 or 30: fits to figures.md §4, see twinax.hpp).",
      Range::between(20, 40)));
  p.length_m =
      reader.required_quantity("length", Dimension::length, "Cable length.", Range::non_negative());
  const auto [a, b] = gauge_fit(p.gauge_awg);
  p.a_db_per_m_rtghz =
      reader.quantity("loss_sqrt_f", Dimension::dimensionless, a,
                      "Skin-effect loss coefficient a in dB/m/√GHz; default: the gauge's fit.",
                      Range::non_negative());
  p.b_db_per_m_ghz = reader.quantity("loss_f", Dimension::dimensionless, b,
                                     "Dielectric loss coefficient b in dB/m/GHz; default: the "
                                     "gauge's fit.",
                                     Range::non_negative());
  p.impedance_ohm =
      reader.quantity("impedance", Dimension::resistance, 100.0,
                      "Differential impedance (100 Ω matched).", Range{.min = 20.0, .max = 200.0});
  return p;
}

ComLineSpec TwinaxParams::line() const {
  return {.gamma0_per_mm = 0.0,
          .a1_per_mm_rtghz = a_db_per_m_rtghz / db_per_neper / 1e3,
          .a2_per_mm_ghz = b_db_per_m_ghz / db_per_neper / 1e3,
          .tau_ns_per_mm = delay_s_per_m * 1e9 / 1e3,
          .zc_ohm = impedance_ohm};
}

TwinaxBlock::TwinaxBlock(const TwinaxParams& params) : params_(params) {
  if (!(params_.length_m >= 0.0) || !std::isfinite(params_.length_m)) {
    throw ParameterError("length",
                         fmt::format("twinax.length = {} m must be ≥ 0", params_.length_m));
  }
  if (params_.a_db_per_m_rtghz < 0.0 || params_.b_db_per_m_ghz < 0.0) {
    throw ParameterError("loss_sqrt_f", "twinax loss coefficients must be ≥ 0");
  }
  if (!(params_.impedance_ohm > 0.0)) {
    throw ParameterError("impedance", "twinax.impedance must be > 0");
  }
}

TwoPortNetwork TwinaxBlock::network() const {
  if (params_.length_m == 0.0) return TwoPortNetwork{};
  return params_.line().network(
      params_.length_m, fmt::format("twinax {} AWG {:.3g} m", params_.gauge_awg, params_.length_m));
}

std::string TwinaxBlock::describe() const {
  return fmt::format(
      "twinax: {} AWG, {:.3g} m, {:.3g}√f + {:.3g}f dB/m, IL {:.2f} dB @ 26.5625 "
      "GHz{}",
      params_.gauge_awg, params_.length_m, params_.a_db_per_m_rtghz, params_.b_db_per_m_ghz,
      network().insertion_loss_db(26.5625e9), cascade_note());
}

// Figures for validation: the insertion loss per metre of this cable at a frequency (argument).
std::optional<double> TwinaxBlock::metric(std::string_view name, double argument) const {
  if (name == "loss_db_per_m") {
    if (params_.length_m <= 0.0) return std::nullopt;
    return network().insertion_loss_db(argument) / params_.length_m;
  }
  return CopperBlock::metric(name, argument);
}

std::vector<std::string> TwinaxBlock::metric_names() const {
  return {"insertion_loss_db (argument: frequency)", "loss_db_per_m (argument: frequency)"};
}

}  // namespace optilane
