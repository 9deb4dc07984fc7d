#include "channels/copper/line.hpp"

#include <cmath>

#include "phy/errors.hpp"
#include "phy/units.hpp"

#include <fmt/format.h>

namespace optilane {

DjordjevicSarkar DjordjevicSarkar::fit(double dk, double df, double f_ref_hz) {
  DjordjevicSarkar model;
  const double w = 2.0 * pi * f_ref_hz;
  // L(ω) = log10[(ω2 + jω)/(ω1 + jω)]; ε = ε∞ + slope·L. Match Im ε = −Dk·Df, Re ε = Dk.
  const Cplx l =
      std::log((model.omega2 + Cplx(0.0, w)) / (model.omega1 + Cplx(0.0, w))) / std::log(10.0);
  model.slope = -dk * df / l.imag();
  model.eps_inf = dk - model.slope * l.real();
  return model;
}

Cplx DjordjevicSarkar::permittivity(double frequency_hz) const {
  const double w = 2.0 * pi * frequency_hz;
  return eps_inf +
         slope * std::log((omega2 + Cplx(0.0, w)) / (omega1 + Cplx(0.0, w))) / std::log(10.0);
}

double skin_depth_m(double frequency_hz, double resistivity_ohm_m) {
  return std::sqrt(resistivity_ohm_m / (pi * frequency_hz * vacuum_permeability_h_per_m));
}

double Roughness::factor(double frequency_hz) const {
  if (frequency_hz <= 0.0) return 1.0;
  const double delta = skin_depth_m(frequency_hz, copper_resistivity_ohm_m);
  switch (model) {
    case RoughnessModel::none:
      return 1.0;
    case RoughnessModel::hammerstad: {
      const double r = rms_m / delta;
      return 1.0 + (2.0 / pi) * std::atan(1.4 * r * r);
    }
    case RoughnessModel::huray: {
      const double a = sphere_radius_m;
      return 1.0 + 1.5 * surface_ratio / (1.0 + delta / a + delta * delta / (2.0 * a * a));
    }
  }
  return 1.0;
}

StriplineGeometry stripline_geometry(double z0_ohm, double dk, double plane_spacing_m,
                                     double thickness_m) {
  const double b = plane_spacing_m;
  const double t = thickness_m;
  const double sqrt_er_z0 = std::sqrt(dk) * z0_ohm;
  if (!(b > t) || !(t > 0.0)) {
    throw ParameterError("plane_spacing",
                         fmt::format("pcb_trace.plane_spacing = {} m must exceed the copper "
                                     "thickness {} m",
                                     b, t));
  }
  if (!(sqrt_er_z0 < 120.0)) {
    throw ParameterError("plane_spacing",
                         fmt::format("pcb_trace: √Dk·Z_odd = {:.1f} Ω is outside the stripline "
                                     "loss formula (< 120 Ω)",
                                     sqrt_er_z0));
  }
  // Pozar eq. 3.181 (wide-strip branch, √εr Z0 < 120 Ω): W/b = x.
  const double x = 30.0 * pi / sqrt_er_z0 - 0.441;
  const double w = x * b;
  // Pozar eq. 3.182: α_c in Np/m at Rs = 1 Ω, so α_c = Rs·alpha_per_rs.
  const double a =
      1.0 + 2.0 * w / (b - t) + (1.0 / pi) * (b + t) / (b - t) * std::log((2.0 * b - t) / t);
  const double alpha_per_rs = 2.7e-3 * dk * z0_ohm / (30.0 * pi * (b - t)) * a;
  return {.width_m = w, .effective_width_m = 1.0 / (4.0 * z0_ohm * alpha_per_rs)};
}

Stripline::Stripline(const StriplineSpec& spec)
    : spec_(spec), dielectric_(DjordjevicSarkar::fit(spec.dk, spec.df, spec.f_ref_hz)) {
  const double z_odd = 0.5 * spec_.impedance_ohm;
  const double sqrt_dk = std::sqrt(spec_.dk);
  inductance_h_per_m_ = z_odd * sqrt_dk / speed_of_light_m_per_s;
  c_air_f_per_m_ = 1.0 / (z_odd * speed_of_light_m_per_s * sqrt_dk);
  r_dc_ohm_per_m_ = spec_.resistivity_ohm_m / (spec_.width_m * spec_.thickness_m);
  // R_dc √(f/f0)/√2 = Rs/(2w) at high f, Rs = √(π f μ0 ρ).
  f0_hz_ = 2.0 * r_dc_ohm_per_m_ * r_dc_ohm_per_m_ * spec_.width_m * spec_.width_m /
           (pi * vacuum_permeability_h_per_m * spec_.resistivity_ohm_m);
}

Cplx Stripline::conductor_impedance(double frequency_hz) const {
  return spec_.roughness.factor(frequency_hz) * r_dc_ohm_per_m_ *
         std::sqrt(Cplx(1.0, frequency_hz / f0_hz_));
}

LineConstants Stripline::at(double frequency_hz) const {
  // A floor of 1 kHz keeps Zc finite at DC (Y' → 0); the response there is flat anyway.
  const double f = std::max(frequency_hz, 1e3);
  const double w = 2.0 * pi * f;
  const Cplx z = Cplx(0.0, w * inductance_h_per_m_) + conductor_impedance(f);
  const Cplx y = Cplx(0.0, w * c_air_f_per_m_) * dielectric_.permittivity(f);
  return {.gamma_per_m = std::sqrt(z * y), .zc_ohm = 2.0 * std::sqrt(z / y)};
}

TwoPortNetwork Stripline::network(double length_m, std::string description) const {
  const Stripline line = *this;
  return {[line, length_m](double f) {
            const LineConstants k = line.at(f);
            return s_from_abcd(line_abcd(k.gamma_per_m * length_m, k.zc_ohm),
                               differential_reference_ohm);
          },
          std::move(description)};
}

double Stripline::conductor_attenuation_np_per_m(double frequency_hz) const {
  return conductor_impedance(frequency_hz).real() / spec_.impedance_ohm;  // R/(2 Z_odd)
}

double Stripline::dielectric_attenuation_np_per_m(double frequency_hz) const {
  // G Z_odd / 2 with G = ω C_air ε''.
  const double w = 2.0 * pi * frequency_hz;
  const double g = -w * c_air_f_per_m_ * dielectric_.permittivity(frequency_hz).imag();
  return 0.25 * g * spec_.impedance_ohm;
}

Cplx ComLineSpec::gamma_per_mm(double frequency_hz) const {
  const double f = frequency_hz / 1e9;
  const Cplx skin = a1_per_mm_rtghz * Cplx(1.0, 1.0) * std::sqrt(f);
  const Cplx dielectric =
      f > 0.0 ? a2_per_mm_ghz * Cplx(1.0, -(2.0 / pi) * std::log(f)) * f : Cplx(0.0, 0.0);
  return gamma0_per_mm + skin + dielectric + Cplx(0.0, 2.0 * pi * f * tau_ns_per_mm);
}

TwoPortNetwork ComLineSpec::network(double length_m, std::string description) const {
  const ComLineSpec spec = *this;
  const double length_mm = length_m * 1e3;
  return {[spec, length_mm](double f) {
            return s_from_abcd(line_abcd(spec.gamma_per_mm(f) * length_mm, spec.zc_ohm),
                               differential_reference_ohm);
          },
          std::move(description)};
}

}  // namespace optilane
