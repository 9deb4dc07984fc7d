#include "channels/copper/package.hpp"

#include <fmt/format.h>
#include <cmath>
#include <string>

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
                                        "segments sum to 2.4e-4 nF with compensating L_s; U); "
                                        "with a die ladder, the bump capacitance C_b between "
                                        "the ladder and the line (802.3dj COM 0.03 pF, S).",
                                        Range::non_negative());
  p.ball_capacitance_f = reader.quantity("ball_capacitance", Dimension::capacitance, 0.087e-12,
                                         "Ball/pad capacitance C_p per leg (802.3ck COM 0.87e-4 "
                                         "nF; U).",
                                         Range::non_negative());
  p.ball_section_length_m =
      reader.quantity("ball_section_length", Dimension::length, 0.0,
                      "Second substrate line section z_pB between the trace and the ball (802.3dj "
                      "COM 1.8 mm, PyChOpMarg ieee_8023dj.py; S). 0: none (802.3ck).",
                      Range::non_negative());
  p.ball_section_impedance_ohm =
      reader.quantity("ball_section_impedance", Dimension::resistance, 92.5,
                      "Differential impedance of the second section (802.3dj COM 92.5 Ω; S).",
                      Range{.min = 20.0, .max = 200.0});
  p.ladder_capacitance_f =
      reader.quantity_list("die_ladder_capacitance", Dimension::capacitance, {},
                           "Segmented die model: shunt C_d(1..n) per leg from the die outwards, "
                           "each followed by the series L_s of the same index (802.3ck/dj COM "
                           "0.04, 0.09, 0.11 pF; S). Empty: the die is the lumped C_d.");
  p.ladder_inductance_h =
      reader.quantity_list("die_ladder_inductance", Dimension::inductance, {},
                           "Segmented die model: series L_s(1..n) per leg, one after each "
                           "die_ladder_capacitance (802.3ck/dj COM 0.13, 0.15, 0.14 nH; S).");
  const std::string line = reader.choice("line", "802.3ck", {"802.3ck", "802.3dj"},
                                         "Substrate line loss constants γ0, a1, a2, τ: the "
                                         "802.3ck or 802.3dj COM package line (package.hpp).");
  p.line = line == "802.3dj" ? com_package_line_802_3dj() : com_package_line_802_3ck();
  if (p.ladder_inductance_h.size() != p.ladder_capacitance_f.size()) {
    reader.fail("die_ladder_inductance",
                fmt::format("package.die_ladder_inductance has {} values, "
                            "die_ladder_capacitance {}: one L_s per C_d",
                            p.ladder_inductance_h.size(), p.ladder_capacitance_f.size()));
  }
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
  if (!(params_.ball_section_length_m >= 0.0) || !std::isfinite(params_.ball_section_length_m)) {
    throw ParameterError("ball_section_length",
                         fmt::format("package.ball_section_length = {} m must be ≥ 0",
                                     params_.ball_section_length_m));
  }
  if (!(params_.ball_section_impedance_ohm > 0.0)) {
    throw ParameterError("ball_section_impedance", "package.ball_section_impedance must be > 0");
  }
  if (params_.die_capacitance_f < 0.0 || params_.ball_capacitance_f < 0.0) {
    throw ParameterError("die_capacitance", "package capacitances must be ≥ 0");
  }
  if (params_.ladder_inductance_h.size() != params_.ladder_capacitance_f.size()) {
    throw ParameterError("die_ladder_inductance",
                         "package die ladder: one series L_s per shunt C_d");
  }
  for (std::size_t i = 0; i < params_.ladder_capacitance_f.size(); ++i) {
    if (!(params_.ladder_capacitance_f[i] >= 0.0) || !(params_.ladder_inductance_h[i] >= 0.0)) {
      throw ParameterError("die_ladder_capacitance",
                           "package die ladder capacitances and inductances must be ≥ 0");
    }
  }
}

TwoPortNetwork package_network(const PackageParams& params) {
  if (params.length_m == 0.0 && params.ball_section_length_m == 0.0 &&
      params.die_capacitance_f == 0.0 && params.ball_capacitance_f == 0.0 &&
      params.ladder_capacitance_f.empty()) {
    return TwoPortNetwork{};
  }
  ComLineSpec line = params.line;
  line.zc_ohm = params.impedance_ohm;
  const PackageParams p = params;
  return {[p, line](double f) {
            const double w = 2.0 * pi * f;
            // From the die outwards: ladder C_d(i), L_s(i), then C_d (or C_b), the line, C_p.
            Abcd die;
            for (std::size_t i = 0; i < p.ladder_capacitance_f.size(); ++i) {
              die = die * shunt_abcd(Cplx(0.0, 0.5 * w * p.ladder_capacitance_f[i])) *
                    series_abcd(Cplx(0.0, 2.0 * w * p.ladder_inductance_h[i]));
            }
            die = die * shunt_abcd(Cplx(0.0, 0.5 * w * p.die_capacitance_f));
            const Abcd ball = shunt_abcd(Cplx(0.0, 0.5 * w * p.ball_capacitance_f));
            const Cplx gamma = line.gamma_per_mm(f);
            const Abcd trace = line_abcd(gamma * (p.length_m * 1e3), line.zc_ohm);
            const Abcd ball_section =
                line_abcd(gamma * (p.ball_section_length_m * 1e3), p.ball_section_impedance_ohm);
            if (!p.receive_side) {
              return s_from_abcd(die * trace * ball_section * ball, differential_reference_ohm);
            }
            // Ball first: the die chain reversed (a reciprocal two-port turned round has A and D
            // swapped; a ladder of shunts and series elements reversed is exactly that).
            const Abcd die_reversed{die.d, die.b, die.c, die.a};
            return s_from_abcd(ball * ball_section * trace * die_reversed,
                               differential_reference_ohm);
          },
          fmt::format("package {:.3g} mm", params.length_m * 1e3)};
}

TwoPortNetwork PackageBlock::network() const {
  return package_network(params_);
}

std::string PackageBlock::describe() const {
  return fmt::format(
      "package ({}): {}z_p {:.3g} mm, Zc {:.3g} Ω{}, a1 {:.3g} √ns/mm, {} {:.3g} fF, C_p {:.3g} "
      "fF, IL {:.2f} dB @ 26.5625 GHz{}",
      params_.receive_side ? "rx" : "tx",
      params_.ladder_capacitance_f.empty()
          ? std::string()
          : fmt::format("die ladder of {} C_d/L_s, ", params_.ladder_capacitance_f.size()),
      params_.length_m * 1e3, params_.impedance_ohm,
      params_.ball_section_length_m > 0.0
          ? fmt::format(", z_pB {:.3g} mm at {:.3g} Ω", params_.ball_section_length_m * 1e3,
                        params_.ball_section_impedance_ohm)
          : std::string(),
      params_.line.a1_per_mm_rtghz, params_.ladder_capacitance_f.empty() ? "C_d" : "C_b",
      params_.die_capacitance_f * 1e15, params_.ball_capacitance_f * 1e15,
      network().insertion_loss_db(26.5625e9), cascade_note());
}

}  // namespace optilane
