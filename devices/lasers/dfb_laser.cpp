#include "devices/lasers/dfb_laser.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <boost/numeric/odeint.hpp>
#include <cmath>
#include <complex>

#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

/// The deterministic right-hand side, for odeint.
struct DfbSystem {
  const DfbParams* p = nullptr;
  double current_a = 0.0;

  void operator()(const DfbState& x, DfbState& dxdt, double /*t*/) const {
    const double n = x[0];
    const double photons = std::max(x[1], 0.0);
    const double linear_gain = p->gain_coefficient_per_s * (n - p->transparency_carriers);
    const double gain = linear_gain / (1.0 + p->gain_compression * photons);
    const double r_sp = p->spontaneous_coupling * n / p->carrier_lifetime_s;
    dxdt[0] = current_a / elementary_charge_c - n / p->carrier_lifetime_s - gain * photons;
    dxdt[1] = (gain - 1.0 / p->photon_lifetime_s) * photons + r_sp;
    dxdt[2] = 0.5 * p->alpha * (linear_gain - 1.0 / p->photon_lifetime_s);
  }
};

using Stepper = boost::numeric::odeint::runge_kutta4<DfbState>;

struct Jacobian {
  double a11, a12, a21, a22;
};

Jacobian jacobian(const DfbParams& p, const DfbState& x) {
  const double n = x[0], photons = x[1];
  const double c = 1.0 + p.gain_compression * photons;
  const double gain = p.gain_coefficient_per_s * (n - p.transparency_carriers) / c;
  return {
      .a11 = -1.0 / p.carrier_lifetime_s - p.gain_coefficient_per_s * photons / c,
      .a12 = -gain / c,
      .a21 = p.gain_coefficient_per_s * photons / c + p.spontaneous_coupling / p.carrier_lifetime_s,
      .a22 = gain - 1.0 / p.photon_lifetime_s - gain * p.gain_compression * photons / c};
}

}  // namespace

DfbParams DfbParams::read(ParamReader& reader) {
  DfbParams p;
  const char* agrawal =
      " Default from the 1.55-µm InGaAsP laser of Agrawal, Fiber-Optic Communication Systems, 3rd "
      "ed. (Wiley, 2002), §3.5 and Table 3.1 (textbook value, not re-checked against a retrieved "
      "copy); a retrieved set of the same kind agrees within 20-40 % (Sci. Rep. 12 (2022), "
      "doi:10.1038/s41598-022-12155-y, Table 1).";
  p.gain_coefficient_per_s = reader.quantity(
      "gain_coefficient", Dimension::frequency, p.gain_coefficient_per_s,
      std::string("Modal gain coefficient G_N per carrier, 1/s.") + agrawal, Range::positive());
  p.transparency_carriers = reader.quantity(
      "transparency_carriers", Dimension::dimensionless, p.transparency_carriers,
      std::string("Carrier number at transparency N_0.") + agrawal, Range::positive());
  p.photon_lifetime_s =
      reader.quantity("photon_lifetime", Dimension::time, p.photon_lifetime_s,
                      std::string("Photon lifetime τ_p.") + agrawal, Range::positive());
  p.carrier_lifetime_s =
      reader.quantity("carrier_lifetime", Dimension::time, p.carrier_lifetime_s,
                      std::string("Carrier lifetime τ_c.") + agrawal, Range::positive());
  p.gain_compression = reader.quantity(
      "gain_compression", Dimension::dimensionless, p.gain_compression,
      "Gain compression ε per photon (G = G_N(N-N_0)/(1+εP)). Default 1e-7: the nonlinear-gain "
      "parameter 1.0e-17 cm³ of Carroll, Whiteaway & Plumb, Distributed Feedback Semiconductor "
      "Lasers (IEE/SPIE 1998), Table A11.1, over the 1e-10 cm³ active volume of Agrawal's Table "
      "3.1 laser (photon density P/V; with the confinement factor 0.3 it would be 3e-8).",
      Range::non_negative());
  p.spontaneous_coupling = reader.quantity(
      "spontaneous_coupling", Dimension::dimensionless, p.spontaneous_coupling,
      "Fraction β of spontaneous emission coupled into the lasing mode. Default 1.3e-5, derived "
      "so that R_sp = n_sp/τ_p at threshold with the textbook n_sp = 2 (Agrawal, 3rd ed., §3.5).",
      Range::between(0.0, 1.0));
  p.alpha = reader.quantity("alpha", Dimension::dimensionless, p.alpha,
                            "Linewidth enhancement (alpha) factor. Default 3.0 (Carroll, Whiteaway "
                            "& Plumb, Distributed Feedback Semiconductor Lasers, Table A11.1; Sci. "
                            "Rep. 12 (2022), doi:10.1038/s41598-022-12155-y, Table 1).");
  p.output_coupling = reader.quantity(
      "output_coupling", Dimension::dimensionless, p.output_coupling,
      "Fraction of the cavity loss leaving the front facet, α_m/(2(α_m+α_int)). Default 0.265 "
      "(α_m 45/cm, α_int 40/cm: Agrawal, 3rd ed., Table 3.1, textbook value).",
      {.min = 0.0, .max = 1.0, .min_exclusive = true});
  p.bias_current_a = reader.quantity("bias_current", Dimension::current, p.bias_current_a,
                                     "DC bias current. Default 40 mA (about 2.6 times threshold).",
                                     Range::non_negative());
  p.drive_resistance_ohm = reader.quantity(
      "drive_resistance", Dimension::resistance, p.drive_resistance_ohm,
      "The electrical drive v (V) adds v/R to the bias current. Default 50 Ω.", Range::positive());
  p.forward_voltage_v =
      reader.quantity("forward_voltage", Dimension::voltage, p.forward_voltage_v,
                      "Forward voltage for the power model (I_bias·V_f). Default 1.5 V, an "
                      "assumption (no datasheet retrieved): the 0.95 V photon energy at 1310 nm "
                      "plus about 14 Ω of series resistance at 40 mA.",
                      Range::non_negative());
  p.tec_power_w =
      reader.quantity("tec_power", Dimension::power, p.tec_power_w,
                      "Thermo-electric cooler power; default 0 (uncooled).", Range::non_negative());
  p.direct_modulation = reader.flag(
      "direct_modulation", true,
      "true: the electrical signal modulates the current and the output is optical; false: a CW "
      "carrier (at the bias) for a downstream modulator. In a chain without the key: false when "
      "a modulator follows the laser (before the next photodetector, retimer or laser), true "
      "otherwise.");
  p.wavelength_m =
      reader
          .optional_quantity("wavelength", Dimension::length,
                             "Emission wavelength; default the lane's.", Range::positive())
          .value_or(0.0);
  return p;
}

double dfb_threshold_current_a(const DfbParams& p) {
  const double n_th =
      p.transparency_carriers + 1.0 / (p.gain_coefficient_per_s * p.photon_lifetime_s);
  return elementary_charge_c * n_th / p.carrier_lifetime_s;
}

double dfb_slope_efficiency_w_per_a(const DfbParams& p, double wavelength_m) {
  const double photon_energy = planck_constant_j_s * speed_of_light_m_per_s / wavelength_m;
  return p.output_coupling * photon_energy / elementary_charge_c /
         (1.0 + p.gain_compression / (p.gain_coefficient_per_s * p.carrier_lifetime_s));
}

DfbState dfb_steady_state(const DfbParams& p, double current_a) {
  // Start from the β = 0 solution (or transparency below threshold) and integrate to rest:
  // 25 carrier lifetimes leave e^{−25} of any transient.
  const double i_th = dfb_threshold_current_a(p);
  const double n_th =
      p.transparency_carriers + 1.0 / (p.gain_coefficient_per_s * p.photon_lifetime_s);
  DfbState x{};
  if (current_a > i_th) {
    const double photons =
        p.photon_lifetime_s * (current_a - i_th) / elementary_charge_c /
        (1.0 + p.gain_compression / (p.gain_coefficient_per_s * p.carrier_lifetime_s));
    x = {n_th + p.gain_compression * photons / (p.gain_coefficient_per_s * p.photon_lifetime_s),
         photons, 0.0};
  } else {
    x = {current_a * p.carrier_lifetime_s / elementary_charge_c, 10.0, 0.0};
  }
  DfbSystem system{.p = &p, .current_a = current_a};
  Stepper stepper;
  const double dt = p.photon_lifetime_s / 2.0;
  const auto steps = static_cast<long>(std::ceil(25.0 * p.carrier_lifetime_s / dt));
  for (long k = 0; k < steps; ++k) {
    stepper.do_step(system, x, 0.0, dt);
    x[1] = std::max(x[1], 0.0);
  }
  x[2] = 0.0;
  return x;
}

DfbSmallSignal dfb_small_signal(const DfbParams& p, double current_a) {
  const Jacobian j = jacobian(p, dfb_steady_state(p, current_a));
  const double det = j.a11 * j.a22 - j.a12 * j.a21;
  const double gamma = -(j.a11 + j.a22);
  return {.relaxation_frequency_hz = std::sqrt(det) / (2.0 * pi),
          .damping_rate_per_s = gamma,
          .ringing_frequency_hz = std::sqrt(std::max(det - gamma * gamma / 4.0, 0.0)) / (2.0 * pi)};
}

double dfb_relaxation_frequency_closed_form_hz(const DfbParams& p, double current_a) {
  const DfbState x = dfb_steady_state(p, current_a);
  const double c = 1.0 + p.gain_compression * x[1];
  const double gain = p.gain_coefficient_per_s * (x[0] - p.transparency_carriers) / c;
  return std::sqrt(gain * p.gain_coefficient_per_s * x[1] / c) / (2.0 * pi);
}

double dfb_rin_spectrum_per_hz(const DfbParams& p, double current_a, double frequency_hz) {
  return dfb_rin_spectrum_per_hz(p, dfb_steady_state(p, current_a), frequency_hz);
}

double dfb_rin_spectrum_per_hz(const DfbParams& p, const DfbState& x, double frequency_hz) {
  using C = std::complex<double>;
  const Jacobian j = jacobian(p, x);
  const double r_sp = p.spontaneous_coupling * x[0] / p.carrier_lifetime_s;
  // Two-sided force spectra (2D_ij).
  const double d_nn = 2.0 * (r_sp * x[1] + x[0] / p.carrier_lifetime_s);
  const double d_pp = 2.0 * r_sp * x[1];
  const double d_np = -2.0 * r_sp * x[1];
  const C jw(0.0, 2.0 * pi * frequency_hz);
  // M = (jωI − J)⁻¹; only its second row is needed: δP = m21 F_N + m22 F_P.
  const C b11 = jw - j.a11, b12 = -j.a12, b21 = -j.a21, b22 = jw - j.a22;
  const C det = b11 * b22 - b12 * b21;
  const C m21 = -b21 / det, m22 = b11 / det;
  const double s_pp =
      std::norm(m21) * d_nn + std::norm(m22) * d_pp + 2.0 * std::real(m21 * std::conj(m22)) * d_np;
  return 2.0 * s_pp / (x[1] * x[1]);  // one-sided
}

double dfb_linewidth_hz(const DfbParams& p, double current_a) {
  const DfbState x = dfb_steady_state(p, current_a);
  const double r_sp = p.spontaneous_coupling * x[0] / p.carrier_lifetime_s;
  return r_sp * (1.0 + p.alpha * p.alpha) / (4.0 * pi * x[1]);
}

DfbLaser::DfbLaser(const DfbParams& params) : params_(params) {
  auto positive = [](const char* key, double value) {
    if (!(value > 0.0) || !std::isfinite(value)) {
      throw ParameterError(key, fmt::format("laser.{} = {} must be > 0", key, value));
    }
  };
  positive("gain_coefficient", params_.gain_coefficient_per_s);
  positive("transparency_carriers", params_.transparency_carriers);
  positive("photon_lifetime", params_.photon_lifetime_s);
  positive("carrier_lifetime", params_.carrier_lifetime_s);
  positive("drive_resistance", params_.drive_resistance_ohm);
  if (!(params_.output_coupling > 0.0 && params_.output_coupling <= 1.0)) {
    throw ParameterError("output_coupling", "laser.output_coupling must be in (0, 1]");
  }
  if (!(params_.spontaneous_coupling >= 0.0 && params_.spontaneous_coupling < 1.0)) {
    throw ParameterError("spontaneous_coupling", "laser.spontaneous_coupling must be in [0, 1)");
  }
  if (!(params_.gain_compression >= 0.0)) {
    throw ParameterError("gain_compression", "laser.gain_compression must be >= 0");
  }
  if (!(params_.bias_current_a >= 0.0)) {
    throw ParameterError("bias_current", "laser.bias_current must be >= 0");
  }
  if (!(params_.tec_power_w >= 0.0) || !(params_.forward_voltage_v >= 0.0)) {
    throw ParameterError("tec_power", "laser.tec_power and forward_voltage must be >= 0");
  }
}

double DfbLaser::output_power_w(double photons) const {
  const double photon_energy = planck_constant_j_s * speed_of_light_m_per_s / wavelength_m_;
  return params_.output_coupling * photon_energy * std::max(photons, 0.0) /
         params_.photon_lifetime_s;
}

void DfbLaser::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  wavelength_m_ = params_.wavelength_m > 0.0 ? params_.wavelength_m : lane.wavelength_m;
  const double period = 1.0 / lane.sample_rate_hz();
  substeps_ = std::max(1, static_cast<int>(std::ceil(period / (params_.photon_lifetime_s / 2.0))));
  dt_ = period / substeps_;
  steady_ = dfb_steady_state(params_, params_.bias_current_a);
  reset();
}

void DfbLaser::reset() {
  state_ = steady_;
}

void DfbLaser::process(Signal& chunk) {
  const std::size_t n = chunk.electrical.size();
  chunk.optical.resize(n);
  chunk.wavelength_m = wavelength_m_;
  const bool intensity_noise = noise_enabled(NoiseKind::rin);
  const bool phase_noise = noise_enabled(NoiseKind::phase);
  RandomStream stream = noise_stream(chunk, 0);
  RandomStream phase_stream = noise_stream(chunk, 1);
  DfbSystem system{.p = &params_, .current_a = params_.bias_current_a};
  Stepper stepper;
  const double sqrt_dt = std::sqrt(dt_);
  for (std::size_t i = 0; i < n; ++i) {
    if (params_.direct_modulation) {
      system.current_a = std::max(
          0.0, params_.bias_current_a + chunk.electrical[i] / params_.drive_resistance_ohm);
    }
    for (int k = 0; k < substeps_; ++k) {
      const double carriers = state_[0];
      const double photons = std::max(state_[1], 0.0);
      stepper.do_step(system, state_, 0.0, dt_);
      const double r_sp = params_.spontaneous_coupling * carriers / params_.carrier_lifetime_s;
      if (intensity_noise) {
        // Cholesky factor of [[2D_NN, 2D_NP], [2D_NP, 2D_PP]].
        const double d_nn = 2.0 * (r_sp * photons + carriers / params_.carrier_lifetime_s);
        const double d_pp = 2.0 * r_sp * photons;
        const double d_np = -2.0 * r_sp * photons;
        const double l11 = std::sqrt(std::max(d_nn, 0.0));
        const double l21 = l11 > 0.0 ? d_np / l11 : 0.0;
        const double l22 = std::sqrt(std::max(d_pp - l21 * l21, 0.0));
        const double xi1 = stream.gaussian(), xi2 = stream.gaussian();
        state_[0] += sqrt_dt * l11 * xi1;
        state_[1] += sqrt_dt * (l21 * xi1 + l22 * xi2);
      }
      if (phase_noise) {
        state_[2] +=
            sqrt_dt * std::sqrt(r_sp / (2.0 * std::max(photons, 1.0))) * phase_stream.gaussian();
      }
      state_[1] = std::max(state_[1], 0.0);
    }
    chunk.optical[i] = std::polar(std::sqrt(output_power_w(state_[1])), state_[2]);
  }
  // Keep the phase bounded (it only matters modulo 2π).
  state_[2] = std::remainder(state_[2], 2.0 * pi);
  if (params_.direct_modulation) {
    chunk.domain = Domain::optical;
    chunk.has_carrier = false;
  } else {
    chunk.has_carrier = true;
  }
}

std::string DfbLaser::describe() const {
  return fmt::format(
      "laser (dfb rate equations): I_th {:.2f} mA, bias {:.2f} mA, {:.2f} dBm, slope {:.3f} W/A, "
      "f_R {:.3g} GHz, alpha {:.2g}, {} (RK4 + Euler-Maruyama, {} substeps/sample)",
      dfb_threshold_current_a(params_) * 1e3, params_.bias_current_a * 1e3,
      w_to_dbm(output_power_w(steady_[1])), dfb_slope_efficiency_w_per_a(params_, wavelength_m_),
      dfb_small_signal(params_, params_.bias_current_a).relaxation_frequency_hz / 1e9,
      params_.alpha, params_.direct_modulation ? "directly modulated" : "CW carrier", substeps_);
}

std::vector<PowerItem> DfbLaser::power() const {
  std::vector<PowerItem> items{
      {PowerCategory::laser, params_.bias_current_a * params_.forward_voltage_v,
       fmt::format("I_bias·V_f = {:.3g} mA × {:.3g} V", params_.bias_current_a * 1e3,
                   params_.forward_voltage_v)}};
  if (params_.tec_power_w > 0.0)
    items.push_back({PowerCategory::laser, params_.tec_power_w, "TEC"});
  return items;
}

std::string DfbLaser::check_input(Domain input, bool has_carrier) const {
  if (input != Domain::electrical || has_carrier) {
    return "a dfb laser takes an electrical drive (or nothing, as a CW carrier); it cannot follow "
           "an optical signal or another laser";
  }
  return {};
}

// Figures for validation, from the rate equations themselves: threshold and slope by linear
// extrapolation of the steady-state L-I curve at 2 and 3 times the closed-form threshold (so they
// include spontaneous emission and gain compression), the small-signal relaxation frequency from
// the Jacobian, the Langevin RIN and the Henry linewidth at the bias (or at `argument` A).
std::optional<double> DfbLaser::metric(std::string_view name, double argument) const {
  const double current = argument > 0.0 ? argument : params_.bias_current_a;
  if (name == "threshold_current_a" || name == "slope_efficiency_w_per_a") {
    const double i_cf = dfb_threshold_current_a(params_);
    const double i1 = 2.0 * i_cf, i2 = 3.0 * i_cf;
    const double p1 = output_power_w(dfb_steady_state(params_, i1)[1]);
    const double p2 = output_power_w(dfb_steady_state(params_, i2)[1]);
    const double slope = (p2 - p1) / (i2 - i1);
    return name == "slope_efficiency_w_per_a" ? slope : i1 - p1 / slope;
  }
  if (name == "relaxation_frequency_hz") {
    return dfb_small_signal(params_, current).relaxation_frequency_hz;
  }
  if (name == "rin_db_per_hz") {
    return 10.0 * std::log10(dfb_rin_spectrum_per_hz(params_, current, argument));
  }
  if (name == "linewidth_hz") return dfb_linewidth_hz(params_, current);
  if (name == "output_power_w") return output_power_w(dfb_steady_state(params_, current)[1]);
  return std::nullopt;
}

std::vector<std::string> DfbLaser::metric_names() const {
  return {"threshold_current_a",
          "slope_efficiency_w_per_a",
          "relaxation_frequency_hz",
          "rin_db_per_hz (argument: frequency)",
          "linewidth_hz",
          "output_power_w"};
}

}  // namespace optilane
