#include "channels/copper/package.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {

PackageParams PackageParams::read(ParamReader& reader) {
  PackageParams p;
  p.length_m = reader.quantity("length", Dimension::length, 12e-3,
                               "Package substrate trace length z_p (802.3ck COM host: 12 mm "
                               "short, 31 mm long; U).",
                               Range::non_negative());
  p.impedance_ohm = reader.quantity("impedance", Dimension::resistance, 87.5,
                                    "Differential impedance of the substrate trace (802.3ck COM "
                                    "87.5 Ω; U).",
                                    Range{.min = 20.0, .max = 200.0});
  p.die_capacitance_f = reader.quantity("die_capacitance", Dimension::capacitance, 0.12e-12,
                                        "Die capacitance C_d per leg, lumped (802.3ck COM "
                                        "segments sum to 2.4e-4 nF with compensating L_s; U).",
                                        Range::non_negative());
  p.ball_capacitance_f = reader.quantity("ball_capacitance", Dimension::capacitance, 0.087e-12,
                                         "Ball/pad capacitance C_p per leg (802.3ck COM 0.87e-4 "
                                         "nF; U).",
                                         Range::non_negative());
  p.receive_side = reader.choice("side", "tx", {"tx", "rx"},
                                 "tx: the die faces the upstream SerDes (die → trace → ball); "
                                 "rx: ball → trace → die.") == "rx";
  return p;
}

PackageBlock::PackageBlock(const PackageParams& params) : params_(params) {
  if (!(params_.length_m >= 0.0) || !std::isfinite(params_.length_m)) {
    throw ParameterError("length",
                         fmt::format("package.length = {} m must be ≥ 0", params_.length_m));
  }
  if (!(params_.impedance_ohm > 0.0)) {
    throw ParameterError("impedance", "package.impedance must be > 0");
  }
  if (params_.die_capacitance_f < 0.0 || params_.ball_capacitance_f < 0.0) {
    throw ParameterError("die_capacitance", "package capacitances must be ≥ 0");
  }
}

TwoPortNetwork PackageBlock::network() const {
  if (params_.length_m == 0.0 && params_.die_capacitance_f == 0.0 &&
      params_.ball_capacitance_f == 0.0) {
    return TwoPortNetwork{};
  }
  const ComLineSpec line{.gamma0_per_mm = 0.0,
                         .a1_per_mm_rtghz = 9.909e-4,
                         .a2_per_mm_ghz = 2.772e-4,
                         .tau_ns_per_mm = 6.141e-3,
                         .zc_ohm = params_.impedance_ohm};
  const PackageParams p = params_;
  return {[p, line](double f) {
            const double w = 2.0 * pi * f;
            const Abcd die = shunt_abcd(Cplx(0.0, 0.5 * w * p.die_capacitance_f));
            const Abcd ball = shunt_abcd(Cplx(0.0, 0.5 * w * p.ball_capacitance_f));
            const Abcd trace = line_abcd(line.gamma_per_mm(f) * (p.length_m * 1e3), line.zc_ohm);
            const Abcd m = p.receive_side ? ball * trace * die : die * trace * ball;
            return s_from_abcd(m, differential_reference_ohm);
          },
          fmt::format("package {:.3g} mm", params_.length_m * 1e3)};
}

std::string PackageBlock::describe() const {
  return fmt::format(
      "package ({}): z_p {:.3g} mm, Zc {:.3g} Ω, C_d {:.3g} fF, C_p {:.3g} fF, "
      "IL {:.2f} dB @ 26.5625 GHz{}",
      params_.receive_side ? "rx" : "tx", params_.length_m * 1e3, params_.impedance_ohm,
      params_.die_capacitance_f * 1e15, params_.ball_capacitance_f * 1e15,
      network().insertion_loss_db(26.5625e9), cascade_note());
}

}  // namespace optilane
