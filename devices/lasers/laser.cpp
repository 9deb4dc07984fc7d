#include "devices/lasers/laser.hpp"

#include "devices/lasers/dfb_laser.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <complex>

#include "phy/errors.hpp"
#include "phy/filter_design.hpp"
#include "phy/phasor.hpp"
#include "phy/simd.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

/// field[i] *= √(p_out·max(0, 1 + δ_i)): the RIN on the field's power, in a loop the compiler
/// vectorises (to AVX2 where the CPU has it: phy/simd.hpp; the same values bit for bit).
OPTILANE_SIMD_CLONES void apply_rin(std::complex<double>* field, const double* delta,
                                    std::size_t count, double p_out) {
  for (std::size_t i = 0; i < count; ++i) {
    field[i] *= std::sqrt(p_out * std::max(0.0, 1.0 + delta[i]));
  }
}

}  // namespace

LaserParams LaserParams::read(ParamReader& reader, bool els) {
  LaserParams p;
  p.els = els;
  p.power_w = reader.quantity(
      "power", Dimension::power, p.power_w,
      "Optical output power of the laser (before ELS fibre coupling). Default 17 dBm, an "
      "assumption (no CW DFB datasheet retrieved): inside the OIF ELSFP classes 11-26 dBm "
      "(figures.md §2.2, verified) and twice the > 25 mW per channel of the DFB array of Nie et "
      "al., Chin. Opt. Lett. 23, 071406 (2025), doi:10.3788/COL202523.071406. At most 10 W "
      "(40 dBm), 20 times the strongest ELSFP class.",
      Range{.min = 0.0, .max = 10.0, .min_exclusive = true});
  p.wavelength_m = reader.optional_quantity("wavelength", Dimension::length,
                                            "Emission wavelength; default the lane's wavelength.",
                                            Range::positive());
  p.rin_db_per_hz = reader.quantity(
      "rin", Dimension::per_hz_db, p.rin_db_per_hz,
      "One-sided relative intensity noise at low frequency. Default -150 dB/Hz, an assumption "
      "(no CW DFB RIN figure retrieved): 14 dB under the IEEE 802.3 limit RIN21.4OMA <= -136 "
      "dB/Hz (figures.md §1.2, verified), so the source alone never uses that allowance.",
      Range::between(-200.0, -100.0));
  p.rin_shape =
      reader.choice("rin_shape", "flat", {"flat", "relaxation"},
                    "RIN spectrum: flat, or shaped by the relaxation-oscillation "
                    "resonance (Coldren et al., Diode Lasers and PICs, §5.5).") == "relaxation"
          ? RinShape::relaxation
          : RinShape::flat;
  p.relaxation_frequency_hz = reader.quantity(
      "relaxation_frequency", Dimension::frequency, p.relaxation_frequency_hz,
      "Relaxation-oscillation frequency of the RIN shape. Default 10 GHz, an assumption (no CW "
      "DFB figure retrieved): it puts the RIN peak inside the 26.6 GHz Nyquist band of 53.125 "
      "GBd, the pessimistic side for IM/DD.",
      Range::positive());
  p.damping_rate_per_s = reader.quantity(
      "damping_rate", Dimension::frequency, p.damping_rate_per_s,
      "Damping rate of the relaxation oscillation, 1/s. Default 3.2e10 /s = K·f_r² at 10 GHz with "
      "K = 0.32 ns, the universal damping-resonance relation of 1.3-µm InGaAsP lasers "
      "(https://scilit.com/publications/c72b8bbdfb334566276eb8c49ff3966b).",
      Range::positive());
  p.linewidth_hz = reader.quantity(
      "linewidth", Dimension::frequency, p.linewidth_hz,
      "Full-width Lorentzian linewidth (Wiener phase noise). Default 1 MHz, an assumption (no CW "
      "DFB datasheet retrieved): above the 716 kHz of a 1.3-µm QD laser (Wan et al., Laser "
      "Photonics Rev.) and the 140 kHz of the Innolume comb (figures.md §2.2, verified).",
      Range::non_negative());
  p.wall_plug_efficiency = reader.quantity(
      "wall_plug_efficiency", Dimension::dimensionless, p.wall_plug_efficiency,
      "Optical output over electrical input. Default 0.2, an assumption (no CW DFB datasheet "
      "retrieved): below the > 30 % peak ex-facet figure of the Innolume QD comb laser "
      "(figures.md §2.2, verified), for operation at 50-60 °C away from the peak.",
      {.min = 0.0, .max = 1.0, .min_exclusive = true});
  p.tec_power_w =
      reader.quantity("tec_power", Dimension::power, p.tec_power_w,
                      "Thermo-electric cooler power; default 0 (uncooled).", Range::non_negative());
  if (els) {
    p.coupling_loss_db = reader.quantity(
        "coupling_loss", Dimension::ratio_db, p.coupling_loss_db,
        "ELS fibre-coupling loss. Default 1.25 dB = 75 % coupling to PM fibre (Innolume QD comb "
        "laser, figures.md §2.2, verified).",
        Range::non_negative());
  }
  return p;
}

Laser::Laser(const LaserParams& params) : params_(params) {
  auto bad = [](const char* key, const std::string& message) {
    throw ParameterError(key, message);
  };
  if (!(params_.power_w > 0.0) || !std::isfinite(params_.power_w)) {
    bad("power", fmt::format("laser.power = {} W must be > 0", params_.power_w));
  }
  if (params_.wavelength_m && !(*params_.wavelength_m > 0.0)) {
    bad("wavelength", fmt::format("laser.wavelength = {} m must be > 0", *params_.wavelength_m));
  }
  if (!(params_.rin_db_per_hz < 0.0)) {
    bad("rin", fmt::format("laser.rin = {} dB/Hz must be < 0", params_.rin_db_per_hz));
  }
  if (!(params_.linewidth_hz >= 0.0)) {
    bad("linewidth", fmt::format("laser.linewidth = {} Hz must be >= 0", params_.linewidth_hz));
  }
  if (!(params_.wall_plug_efficiency > 0.0 && params_.wall_plug_efficiency <= 1.0)) {
    bad("wall_plug_efficiency", fmt::format("laser.wall_plug_efficiency = {} must be in (0, 1]",
                                            params_.wall_plug_efficiency));
  }
  if (!(params_.tec_power_w >= 0.0)) {
    bad("tec_power", fmt::format("laser.tec_power = {} W must be >= 0", params_.tec_power_w));
  }
  if (!(params_.coupling_loss_db >= 0.0)) {
    bad("coupling_loss",
        fmt::format("laser.coupling_loss = {} dB must be >= 0", params_.coupling_loss_db));
  }
  if (params_.rin_shape == RinShape::relaxation &&
      !(params_.relaxation_frequency_hz > 0.0 && params_.damping_rate_per_s > 0.0)) {
    bad("relaxation_frequency", "laser.relaxation_frequency and damping_rate must be > 0");
  }
}

double Laser::output_power_w() const {
  return params_.power_w * (params_.els ? db_to_power_ratio(-params_.coupling_loss_db) : 1.0);
}

double Laser::rin_spectrum_per_hz(double frequency_hz) const {
  const double rin0 = db_to_power_ratio(params_.rin_db_per_hz);
  if (params_.rin_shape == RinShape::flat) return rin0;
  const double fr = params_.relaxation_frequency_hz;
  const std::complex<double> h =
      fr * fr /
      std::complex<double>(fr * fr - frequency_hz * frequency_hz,
                           frequency_hz * params_.damping_rate_per_s / (2.0 * pi));
  return rin0 * std::norm(h);
}

void Laser::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  wavelength_m_ = params_.wavelength_m.value_or(lane.wavelength_m);
  const double fs = lane.sample_rate_hz();
  if (params_.rin_shape == RinShape::relaxation) {
    if (params_.relaxation_frequency_hz >= fs / 2.0) {
      throw ParameterError("relaxation_frequency",
                           fmt::format("laser.relaxation_frequency = {:.3g} GHz must be below "
                                       "the Nyquist frequency {:.3g} GHz",
                                       params_.relaxation_frequency_hz / 1e9, fs / 2e9));
    }
    const double fr = params_.relaxation_frequency_hz;
    const double gamma = params_.damping_rate_per_s;
    const FirDesign design = design_analog_fir(
        [fr, gamma](double f) {
          return std::complex<double>(fr * fr) /
                 std::complex<double>(fr * fr - f * f, f * gamma / (2.0 * pi));
        },
        fs);
    rin_filter_ = RealFirFilter(design.taps);
  }
  reset();
}

void Laser::reset() {
  phase_ = 0.0;
  if (!rin_filter_.empty()) rin_filter_.reset();
}

void Laser::process(Signal& chunk) {
  const std::size_t n = chunk.electrical.size();
  chunk.optical.resize(n);
  chunk.has_carrier = true;
  chunk.wavelength_m = wavelength_m_;
  const double p_out = output_power_w();
  const double fs = lane_.sample_rate_hz();

  const bool rin_on = noise_enabled(NoiseKind::rin);
  const bool phase_on = noise_enabled(NoiseKind::phase) && params_.linewidth_hz > 0.0;
  if (rin_on) {
    delta_.resize(n);
    RandomStream stream = noise_stream(chunk, 0);
    // One-sided PSD RIN_0 over 0..fs/2: per-sample variance RIN_0·fs/2.
    stream.fill_gaussian(delta_, std::sqrt(db_to_power_ratio(params_.rin_db_per_hz) * fs / 2.0));
    if (!rin_filter_.empty()) rin_filter_.process(delta_, delta_);
  }
  if (!rin_on && !phase_on) {
    // Noiseless (the semi-analytic BER's twin): a constant field, its sincos taken once.
    std::fill(chunk.optical.begin(), chunk.optical.end(), std::polar(std::sqrt(p_out), phase_));
    return;
  }
  if (phase_on) {
    // The Wiener phase's steps, then its unit phasors by rotation (phy/phasor.hpp: within 1e-13
    // of exp(jφ), φ summed exactly), instead of a sincos per sample.
    RandomStream phase_stream = noise_stream(chunk, 1);
    steps_.resize(n);
    phase_stream.fill_gaussian(steps_, std::sqrt(2.0 * pi * params_.linewidth_hz / fs));
    phasor_walk(steps_, phase_, chunk.optical);
  } else {
    std::fill(chunk.optical.begin(), chunk.optical.end(), std::polar(1.0, phase_));
  }
  if (rin_on) {
    apply_rin(chunk.optical.data(), delta_.data(), n, p_out);
  } else {
    const double amplitude = std::sqrt(p_out);
    for (auto& e : chunk.optical) e *= amplitude;
  }
}

std::string Laser::describe() const {
  std::string text = fmt::format(
      "laser ({}): {:.2f} dBm at {:.2f} nm, RIN {:.1f} dB/Hz{}, linewidth {:.3g} MHz, WPE {:.2f}",
      params_.els ? "els" : "cw", w_to_dbm(output_power_w()), wavelength_m_ * 1e9,
      params_.rin_db_per_hz,
      params_.rin_shape == RinShape::relaxation
          ? fmt::format(" (relaxation peak {:.3g} GHz)", params_.relaxation_frequency_hz / 1e9)
          : std::string(),
      params_.linewidth_hz / 1e6, params_.wall_plug_efficiency);
  if (params_.els) text += fmt::format(", coupling loss {:.2f} dB", params_.coupling_loss_db);
  return text;
}

std::vector<PowerItem> Laser::power() const {
  std::vector<PowerItem> items;
  items.push_back({PowerCategory::laser, params_.power_w / params_.wall_plug_efficiency,
                   fmt::format("P_opt / WPE = {:.2f} mW / {:.2f}", params_.power_w * 1e3,
                               params_.wall_plug_efficiency)});
  if (params_.tec_power_w > 0.0) {
    items.push_back({PowerCategory::laser, params_.tec_power_w, "TEC"});
  }
  return items;
}

std::string Laser::check_input(Domain input, bool has_carrier) const {
  if (input != Domain::electrical) {
    return "a cw/els laser supplies a carrier for a modulator; it cannot take an optical input";
  }
  if (has_carrier) return "a laser already supplies a carrier; add a modulator between lasers";
  return {};
}

std::unique_ptr<Block> make_laser(ParamReader& reader) {
  const std::string kind = reader.choice(
      "kind", "cw", {"cw", "els", "dfb"},
      "cw: a CW laser feeding a modulator; els: an External Laser Source coupled by fibre; dfb: "
      "a DFB by its rate equations, directly modulated (or CW with direct_modulation: false).");
  if (kind == "dfb") return std::make_unique<DfbLaser>(DfbParams::read(reader));
  return std::make_unique<Laser>(LaserParams::read(reader, kind == "els"));
}

// Figures for validation: the set RIN spectrum at a frequency (argument, Hz), its relaxation peak,
// linewidth and output power.
std::optional<double> Laser::metric(std::string_view name, double argument) const {
  if (name == "rin_db_per_hz") return 10.0 * std::log10(rin_spectrum_per_hz(argument));
  if (name == "linewidth_hz") return params_.linewidth_hz;
  if (name == "output_power_dbm") return w_to_dbm(output_power_w());
  if (name == "rin_peak_hz") {
    // The frequency of the largest RIN on a fine grid up to 4·f_r.
    double best_f = 0.0, best = 0.0;
    const double top = 4.0 * params_.relaxation_frequency_hz;
    for (int i = 1; i <= 40000; ++i) {
      const double f = top * i / 40000.0;
      if (const double r = rin_spectrum_per_hz(f); r > best) {
        best = r;
        best_f = f;
      }
    }
    return best_f;
  }
  return std::nullopt;
}

std::vector<std::string> Laser::metric_names() const {
  return {"rin_db_per_hz", "rin_peak_hz", "linewidth_hz", "output_power_dbm"};
}

}  // namespace optilane
