#include "devices/modulators/eml.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <complex>

#include "devices/modulators/intensity_modulator.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {

EmlParams EmlParams::read(ParamReader& reader) {
  EmlParams p;
  p.extinction_ratio_db = reader.quantity(
      "extinction_ratio", Dimension::ratio_db, p.extinction_ratio_db,
      "Static extinction ratio at 'swing' about 'bias' (sets V_0 of the exponential absorption "
      "model). Default 6 dB, an assumption (no EML datasheet retrieved): 2.5 dB above the IEEE "
      "802.3 minimum of 3.5 dB (figures.md §1.2, verified).",
      Range::positive());
  p.swing_v = reader.quantity("swing", Dimension::voltage, p.swing_v,
                              "Drive peak-to-peak swing at which extinction_ratio is given. "
                              "Default 1 V, the lane source's default swing.",
                              Range::positive());
  p.bias_v = reader.quantity("bias", Dimension::voltage, p.bias_v,
                             "DC reverse bias of the absorber. Default 1.5 V, an assumption (no "
                             "datasheet retrieved): reverse biased over the whole default swing.",
                             Range::non_negative());
  p.absorption_exponent = reader.quantity(
      "absorption_exponent", Dimension::dimensionless, p.absorption_exponent,
      "Exponent n of T = exp(-(V_r/V_0)^n). Default 2, an assumption: the quantum-confined Stark "
      "shift grows with the square of the field at low field.",
      Range::between(0.5, 6.0));
  p.table_voltage_v = reader.quantity_list(
      "table_voltage", Dimension::voltage, {},
      "Optional tabulated absorber: reverse voltages, increasing (replaces the exponential "
      "model; give table_transmission too).");
  p.table_transmission_db = reader.quantity_list(
      "table_transmission", Dimension::ratio_db, {},
      "Optional tabulated absorber: transmission in dB (<= 0) at each table_voltage.");
  p.chirp_alpha = reader.quantity(
      "chirp_alpha", Dimension::dimensionless, p.chirp_alpha,
      "Chirp (alpha) factor at the bias. Default 0.5, an assumption (no measured value "
      "retrieved; EML alpha depends on bias and nears zero at some bias, figures.md §2.1).");
  p.chirp_alpha_slope_per_v =
      reader.quantity("chirp_alpha_slope", Dimension::dimensionless, p.chirp_alpha_slope_per_v,
                      "d(alpha)/d(V_r), per volt of reverse bias. Default -0.5 /V, an "
                      "assumption: with the default alpha, zero chirp at 2.5 V reverse bias.");
  p.bandwidth_hz = reader.quantity(
      "bandwidth", Dimension::frequency, p.bandwidth_hz,
      "RC 3-dB bandwidth. Default 40 GHz, an assumption (no 53 GBd EML datasheet retrieved): "
      "0.75 x 53.125 GBd, above the 28 GHz of a lumped 25G-class EML (Opt. Express 20(11) 11806, "
      "verified).",
      Range::positive());
  p.insertion_loss_db = reader.quantity(
      "insertion_loss", Dimension::ratio_db, p.insertion_loss_db,
      "On-state insertion loss on top of the absorption model. Default 1 dB, an assumption (no "
      "EML datasheet retrieved).",
      Range::non_negative());
  return p;
}

Eml::Eml(const EmlParams& params) : params_(params) {
  const auto& tv = params_.table_voltage_v;
  const auto& tt = params_.table_transmission_db;
  if (tv.size() != tt.size()) {
    throw ParameterError("table_transmission",
                         "eml.table_voltage and table_transmission must have the same length");
  }
  if (!tv.empty()) {
    if (tv.size() < 2) throw ParameterError("table_voltage", "eml.table_voltage needs >= 2 points");
    for (std::size_t i = 1; i < tv.size(); ++i) {
      if (!(tv[i] > tv[i - 1])) {
        throw ParameterError("table_voltage", "eml.table_voltage must increase strictly");
      }
    }
    for (double t : tt) {
      if (!(t <= 0.0)) {
        throw ParameterError("table_transmission", "eml.table_transmission must be <= 0 dB");
      }
    }
  }
  if (!(params_.extinction_ratio_db > 0.0) || !std::isfinite(params_.extinction_ratio_db)) {
    throw ParameterError("extinction_ratio", fmt::format("eml.extinction_ratio = {} dB must be > 0",
                                                         params_.extinction_ratio_db));
  }
  if (!(params_.swing_v > 0.0)) {
    throw ParameterError("swing", fmt::format("eml.swing = {} V must be > 0", params_.swing_v));
  }
  if (!(params_.bandwidth_hz > 0.0)) {
    throw ParameterError("bandwidth",
                         fmt::format("eml.bandwidth = {} Hz must be > 0", params_.bandwidth_hz));
  }
  if (!(params_.insertion_loss_db >= 0.0)) {
    throw ParameterError("insertion_loss", fmt::format("eml.insertion_loss = {} dB must be >= 0",
                                                       params_.insertion_loss_db));
  }
  if (!(params_.absorption_exponent > 0.0)) {
    throw ParameterError("absorption_exponent", "eml.absorption_exponent must be > 0");
  }
  const double v_lo = params_.bias_v - params_.swing_v / 2.0;  // "one": least reverse bias
  const double v_hi = params_.bias_v + params_.swing_v / 2.0;
  if (tv.empty()) {
    if (v_lo < 0.0) {
      throw ParameterError("bias", fmt::format("eml.bias = {} V must be at least half the swing "
                                               "({} V) so the absorber stays reverse biased",
                                               params_.bias_v, params_.swing_v / 2.0));
    }
    const double n = params_.absorption_exponent;
    const double ln_er = params_.extinction_ratio_db * std::log(10.0) / 10.0;
    v0_ = std::pow((std::pow(v_hi, n) - std::pow(v_lo, n)) / ln_er, 1.0 / n);
  }
}

double Eml::transmission(double drive_v) const {
  return std::exp(log_transmission(drive_v));
}

double Eml::log_transmission(double drive_v) const {
  const double vr = params_.bias_v - drive_v;
  const auto& tv = params_.table_voltage_v;
  if (!tv.empty()) {
    const auto& tt = params_.table_transmission_db;
    double db = tt.back();
    if (vr <= tv.front()) {
      db = tt.front();
    } else if (vr < tv.back()) {
      const auto it = std::upper_bound(tv.begin(), tv.end(), vr);
      const auto i = static_cast<std::size_t>(it - tv.begin());
      const double w = (vr - tv[i - 1]) / (tv[i] - tv[i - 1]);
      db = tt[i - 1] + w * (tt[i] - tt[i - 1]);
    }
    return db * (std::log(10.0) / 10.0);
  }
  const double y = std::max(vr, 0.0) / v0_;
  // The default square as a product (correctly rounded; glibc's pow(y, 2) is not, by an ulp in
  // 0.08 % of arguments), any other exponent by pow.
  return -(params_.absorption_exponent == 2.0 ? y * y : std::pow(y, params_.absorption_exponent));
}

double Eml::chirp_alpha(double drive_v) const {
  // V_r − V_bias = −drive.
  return params_.chirp_alpha - params_.chirp_alpha_slope_per_v * drive_v;
}

void Eml::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  rc_coefficient_ = 1.0 - std::exp(-2.0 * pi * params_.bandwidth_hz / lane.sample_rate_hz());
  wavelength_m_ = lane.wavelength_m;
  reset();
}

void Eml::reset() {
  state_v_ = 0.0;
  phase_ = 0.0;
  last_log_power_ = 0.0;
  started_ = false;
}

namespace {
/// ln(1e-30): the floor of the transmission in process() (a closed absorber still passes its
/// leakage, and ln T must stay finite for the chirp).
const double min_log_transmission = std::log(1e-30);
}  // namespace

void Eml::process(Signal& chunk) {
  const double field_loss = db_to_field_ratio(-params_.insertion_loss_db);
  if (!chunk.optical.empty()) carrier_power_w_ = std::norm(chunk.optical.front());
  for (std::size_t i = 0; i < chunk.optical.size(); ++i) {
    state_v_ += rc_coefficient_ * (chunk.electrical[i] - state_v_);
    // ln T from the model directly, floored at T = 1e-30, and T = exp(ln T): one exponential per
    // sample (a logarithm of the rounded exponential had been taken for the chirp).
    const double log_t = std::max(log_transmission(state_v_), min_log_transmission);
    const double t = std::exp(log_t);
    // dφ = (α/2) d ln P, with P ∝ T (the carrier's own intensity noise is not chirped here).
    if (started_) phase_ += 0.5 * chirp_alpha(state_v_) * (log_t - last_log_power_);
    started_ = true;
    last_log_power_ = log_t;
    chunk.optical[i] *= field_loss * std::sqrt(t) * std::polar(1.0, phase_);
  }
  chunk.domain = Domain::optical;
  chunk.has_carrier = false;
}

std::string Eml::describe() const {
  return fmt::format(
      "eml: ER {:.2f} dB at {:.3g} Vpp about {:.3g} V reverse bias ({}), alpha {:.2f} "
      "({:+.2f}/V), RC {:.3g} GHz, IL {:.2f} dB",
      params_.extinction_ratio_db, params_.swing_v, params_.bias_v,
      params_.table_voltage_v.empty()
          ? fmt::format("exp(-(V/{:.3g} V)^{:.3g})", v0_, params_.absorption_exponent)
          : std::string("tabulated"),
      params_.chirp_alpha, params_.chirp_alpha_slope_per_v, params_.bandwidth_hz / 1e9,
      params_.insertion_loss_db);
}

std::vector<PowerItem> Eml::power() const {
  // Photocurrent of the absorbed light (mean over equiprobable outer levels approximated by the
  // transmission at the bias) times the reverse bias.
  const double absorbed = carrier_power_w_ * (1.0 - transmission(0.0));
  const double responsivity =
      elementary_charge_c * wavelength_m_ / (planck_constant_j_s * speed_of_light_m_per_s);
  const double p = absorbed * responsivity * params_.bias_v;
  return {{PowerCategory::modulator, p,
           fmt::format("absorbed {:.3g} mW × {:.3g} A/W × {:.3g} V", absorbed * 1e3, responsivity,
                       params_.bias_v)}};
}

std::string Eml::check_input(Domain input, bool has_carrier) const {
  return modulator_input_problem("eml", input, has_carrier);
}

// Figures for validation: the static extinction ratio from the absorption model at ±swing/2 (or
// at ±argument/2 V), the 3-dB bandwidth of the discretised RC pole, the insertion loss and chirp.
std::optional<double> Eml::metric(std::string_view name, double argument) const {
  if (name == "extinction_ratio_db") {
    const double swing = argument > 0.0 ? argument : params_.swing_v;
    return 10.0 * std::log10(transmission(swing / 2.0) / transmission(-swing / 2.0));
  }
  if (name == "bandwidth_hz") {
    // |H(e^{jωT})| = c/|1 − (1 − c)e^{−jωT}| of the step-invariant pole, bisected at 1/√2.
    const double fs = lane_.sample_rate_hz();
    const double c = rc_coefficient_;
    auto gain = [&](double f) {
      return c / std::abs(std::complex<double>(1.0, 0.0) -
                          (1.0 - c) * std::exp(std::complex<double>(0.0, -2.0 * pi * f / fs)));
    };
    double lo = 0.0, hi = fs / 2.0;
    if (gain(hi) > 1.0 / std::sqrt(2.0)) return std::nullopt;
    for (int i = 0; i < 80; ++i) {
      const double m = 0.5 * (lo + hi);
      (gain(m) > 1.0 / std::sqrt(2.0) ? lo : hi) = m;
    }
    return 0.5 * (lo + hi);
  }
  if (name == "insertion_loss_db") return params_.insertion_loss_db;
  if (name == "chirp_alpha") return chirp_alpha(argument);
  return std::nullopt;
}

std::vector<std::string> Eml::metric_names() const {
  return {"extinction_ratio_db (argument: swing)", "bandwidth_hz", "insertion_loss_db",
          "chirp_alpha (argument: drive V)"};
}

}  // namespace optilane
