#include "devices/receivers/photodetector.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <vector>

#include "devices/receivers/response.hpp"
#include "phy/errors.hpp"
#include "phy/simd.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

// The per-sample loops of process(), vectorised by the compiler (to AVX2 where the CPU has it:
// phy/simd.hpp; the same values bit for bit).

/// out[i] = m·(r·|E_i|² + dark).
OPTILANE_SIMD_CLONES void detect(const std::complex<double>* field, double* out, std::size_t count,
                                 double m, double r, double dark) {
  for (std::size_t i = 0; i < count; ++i) out[i] = m * (r * std::norm(field[i]) + dark);
}

/// out[i] = c_i + √(scale·max(c_i/m, 0))·unit[i] with c_i = m·(r·|E_i|² + dark): the detected
/// current and its shot noise in one pass (the same operations as detect() and then the noise).
OPTILANE_SIMD_CLONES void detect_with_shot_noise(const std::complex<double>* field,
                                                 const double* unit, double* out, std::size_t count,
                                                 double m, double r, double dark, double scale) {
  for (std::size_t i = 0; i < count; ++i) {
    const double current = m * (r * std::norm(field[i]) + dark);
    const double primary = std::max(current / m, 0.0);
    out[i] = current + std::sqrt(scale * primary) * unit[i];
  }
}

}  // namespace

PhotodetectorParams PhotodetectorParams::read(ParamReader& reader) {
  PhotodetectorParams p;
  p.ideal = reader.flag("ideal", false,
                        "Ideal detector: i = R·|E|², no dark current, noise or bandwidth limit.");
  p.responsivity_a_per_w = reader.quantity(
      "responsivity", Dimension::responsivity, 0.8,
      "Responsivity R. Default 0.8 A/W: Ge waveguide PD at 1310 nm (figures.md §2.5, 0.8–0.9 A/W "
      "simulator default; 0.82 A/W measured, CPL 2020).",
      Range{.min = 0.0, .max = 2.0, .min_exclusive = true});
  p.dark_current_a = reader.quantity(
      "dark_current", Dimension::current, 10e-9,
      "Primary dark current. Default 10 nA (figures.md §2.5: 10–50 nA for a Ge WG-PD).",
      Range::non_negative());
  p.bandwidth_hz = reader.optional_quantity(
      "bandwidth", Dimension::frequency,
      "3-dB bandwidth of the detector response; absent = no limit (figures.md §2.5: 50–70 GHz "
      "for 53 GBd, >= 80–100 GHz for 106 GBd).",
      Range::positive());
  p.order = static_cast<int>(reader.integer(
      "order", 1, "Order of the Butterworth response: 1 (RC-limited) or 2.", Range::between(1, 2)));
  p.apd_gain = reader.quantity("gain", Dimension::dimensionless, 1.0,
                               "APD multiplication gain M (1 = PIN).", Range{.min = 1.0});
  p.ionization_ratio = reader.quantity(
      "ionization_ratio", Dimension::dimensionless, 0.1,
      "APD ionisation ratio k_A for the excess-noise factor F = k_A·M + (1−k_A)(2 − 1/M) "
      "(McIntyre 1966); 0.1 is typical of Ge/Si APDs (Si multiplication). Unused when gain = 1.",
      Range::between(0.0, 1.0));
  return p;
}

PhotodetectorBlock::PhotodetectorBlock(const PhotodetectorParams& params) : params_(params) {
  const auto& p = params_;
  if (!(p.responsivity_a_per_w > 0.0 && p.responsivity_a_per_w <= 2.0)) {
    throw ParameterError("responsivity",
                         fmt::format("photodetector.responsivity = {} A/W must be in (0, 2]",
                                     p.responsivity_a_per_w));
  }
  if (!(p.dark_current_a >= 0.0) || !std::isfinite(p.dark_current_a)) {
    throw ParameterError("dark_current", fmt::format("photodetector.dark_current = {} A must be "
                                                     ">= 0",
                                                     p.dark_current_a));
  }
  if (p.bandwidth_hz && !(*p.bandwidth_hz > 0.0 && std::isfinite(*p.bandwidth_hz))) {
    throw ParameterError(
        "bandwidth", fmt::format("photodetector.bandwidth = {} Hz must be > 0", *p.bandwidth_hz));
  }
  if (p.order != 1 && p.order != 2) {
    throw ParameterError("order", fmt::format("photodetector.order = {} must be 1 or 2", p.order));
  }
  if (!(p.apd_gain >= 1.0) || !std::isfinite(p.apd_gain)) {
    throw ParameterError("gain", fmt::format("photodetector.gain = {} must be >= 1", p.apd_gain));
  }
  if (!(p.ionization_ratio >= 0.0 && p.ionization_ratio <= 1.0)) {
    throw ParameterError(
        "ionization_ratio",
        fmt::format("photodetector.ionization_ratio = {} must be in [0, 1]", p.ionization_ratio));
  }
}

double PhotodetectorBlock::excess_noise_factor() const {
  const double m = params_.apd_gain;
  const double k = params_.ionization_ratio;
  return k * m + (1.0 - k) * (2.0 - 1.0 / m);
}

void PhotodetectorBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  const double fs = lane.sample_rate_hz();
  response_ = RealFirFilter();
  delay_samples_ = 0.0;
  noise_bandwidth_hz_ = fs / 2.0;
  if (params_.bandwidth_hz && !params_.ideal) {
    if (*params_.bandwidth_hz >= fs / 2.0) {
      throw ParameterError(
          "bandwidth", fmt::format("photodetector.bandwidth = {:.4g} GHz must be below half the "
                                   "sample rate ({:.4g} GHz)",
                                   *params_.bandwidth_hz / 1e9, fs / 2e9));
    }
    const FirDesign design =
        receiver_response(FilterShape::butterworth, *params_.bandwidth_hz, params_.order, fs);
    delay_samples_ = design.delay_samples;
    noise_bandwidth_hz_ = optilane::noise_bandwidth_hz(design.taps, fs);
    response_ = RealFirFilter(design.taps);
  }
  const double m = params_.apd_gain;
  shot_scale_ = elementary_charge_c * m * m * excess_noise_factor() * fs;
}

void PhotodetectorBlock::process(Signal& chunk) {
  const std::size_t n = chunk.optical.size();
  chunk.electrical.resize(n);
  const double r = params_.responsivity_a_per_w;
  if (params_.ideal) {
    for (std::size_t i = 0; i < n; ++i) chunk.electrical[i] = r * std::norm(chunk.optical[i]);
  } else {
    const double m = params_.apd_gain;
    const double dark = params_.dark_current_a;
    if (noise_enabled(NoiseKind::shot)) {
      // Unit variates as one block (RandomStream::fill_gaussian), scaled per sample as the
      // current is detected (one pass over the chunk).
      RandomStream stream = noise_stream(chunk);
      thread_local std::vector<double> unit;
      unit.resize(n);
      stream.fill_gaussian(unit, 1.0);
      // Primary current = output / M; variance q·M²F·I_primary·fs per sample.
      detect_with_shot_noise(chunk.optical.data(), unit.data(), chunk.electrical.data(), n, m, r,
                             dark, shot_scale_);
    } else {
      detect(chunk.optical.data(), chunk.electrical.data(), n, m, r, dark);
    }
    if (!response_.empty()) response_.process(chunk.electrical, chunk.electrical);
  }
  chunk.optical.clear();
  chunk.domain = Domain::electrical;
  chunk.has_carrier = false;
}

void PhotodetectorBlock::reset() {
  if (!response_.empty()) response_.reset();
}

std::string PhotodetectorBlock::check_input(Domain input, bool has_carrier) const {
  if (has_carrier) return "photodetector: the laser's carrier upstream has no modulator";
  return input == Domain::optical ? std::string()
                                  : "photodetector needs an optical input (place it after the "
                                    "fibre or modulator)";
}

std::string PhotodetectorBlock::describe() const {
  if (params_.ideal) {
    return fmt::format("photodetector: ideal, R = {:.3g} A/W", params_.responsivity_a_per_w);
  }
  std::string text = fmt::format("photodetector: R = {:.3g} A/W, I_d = {:.3g} nA",
                                 params_.responsivity_a_per_w, params_.dark_current_a * 1e9);
  if (params_.bandwidth_hz) {
    text += fmt::format(", {:.3g} GHz order {}", *params_.bandwidth_hz / 1e9, params_.order);
  }
  if (params_.apd_gain > 1.0) {
    text += fmt::format(", APD M = {:.3g}, F = {:.3g}", params_.apd_gain, excess_noise_factor());
  }
  return text;
}

// Figures for validation: responsivity (with the APD gain), dark current, noise bandwidth and the
// shot-noise current, rms, at a received power (argument, W) over the model's noise bandwidth.
std::optional<double> PhotodetectorBlock::metric(std::string_view name, double argument) const {
  if (name == "responsivity_a_per_w") return params_.responsivity_a_per_w * params_.apd_gain;
  if (name == "dark_current_a") return params_.dark_current_a;
  if (name == "noise_bandwidth_hz") return noise_bandwidth_hz_;
  if (name == "shot_noise_rms_a") {
    const double m = params_.apd_gain;
    return std::sqrt(2.0 * elementary_charge_c * m * m * excess_noise_factor() *
                     (params_.responsivity_a_per_w * argument + params_.dark_current_a) *
                     noise_bandwidth_hz_);
  }
  return std::nullopt;
}

std::vector<std::string> PhotodetectorBlock::metric_names() const {
  return {"responsivity_a_per_w", "dark_current_a", "noise_bandwidth_hz",
          "shot_noise_rms_a (argument: power W)"};
}

}  // namespace optilane
