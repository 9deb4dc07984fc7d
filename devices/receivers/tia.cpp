#include "devices/receivers/tia.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "devices/receivers/response.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {

TiaParams TiaParams::read(ParamReader& reader) {
  TiaParams p;
  p.transimpedance_ohm = reader.quantity(
      "transimpedance", Dimension::resistance, 1413.0,
      "Transimpedance Z_T. Default 1413 ohm (63 dBΩ): 16 nm FinFET linear TIA, 112 Gb/s PAM4 "
      "(figures.md §2.6).",
      Range::positive());
  p.noise_density_a_per_rthz = reader.quantity(
      "noise_density", Dimension::current_density, 16.9e-12,
      "Input-referred noise current density (one-sided). Default 16.9 pA/rtHz (figures.md §2.6, "
      "same TIA; 16 pA/rtHz for the 28 nm CMOS TIA).",
      Range::non_negative());
  p.bandwidth_hz = reader.quantity(
      "bandwidth", Dimension::frequency, 32e9,
      "3-dB bandwidth. Default 32 GHz (figures.md §2.6, same TIA; 50–60 GHz for 106 GBd).",
      Range::positive());
  p.shape = parse_filter_shape(reader.choice("response", "butterworth", {"butterworth", "bessel"},
                                             "Shape of the frequency response."));
  p.order =
      static_cast<int>(reader.integer("order", 2, "Order of the response.", Range::between(1, 4)));
  p.mode = reader.choice("mode", "linear", {"linear", "limiting"},
                         "linear, or limiting (hard clipping at ±output_swing/2).") == "limiting"
               ? TiaMode::limiting
               : TiaMode::linear;
  p.gain_control =
      reader.choice("gain_control", "fixed", {"fixed", "agc"},
                    "fixed transimpedance, or agc: the transimpedance is the maximum gain and an "
                    "automatic gain control holds the output at output_swing peak to peak (a "
                    "linear TIA's VGA; set once from the first chunk).") == "agc"
          ? TiaGainControl::agc
          : TiaGainControl::fixed;
  p.output_swing_v = reader.quantity(
      "output_swing", Dimension::voltage, 0.5,
      "Peak-to-peak output swing: where a limiting TIA clips, and what the AGC holds (0.5 V: a "
      "typical CML output, not from a cited datasheet).",
      Range::positive());
  p.power_w = reader.quantity("power", Dimension::power, 47e-3,
                              "Electrical power. Default 47 mW (figures.md §2.6/§3, same TIA).",
                              Range::non_negative());
  return p;
}

TiaBlock::TiaBlock(const TiaParams& params) : params_(params) {
  const auto& p = params_;
  if (!(p.transimpedance_ohm > 0.0) || !std::isfinite(p.transimpedance_ohm)) {
    throw ParameterError("transimpedance", fmt::format("tia.transimpedance = {} ohm must be > 0",
                                                       p.transimpedance_ohm));
  }
  if (!(p.noise_density_a_per_rthz >= 0.0) || !std::isfinite(p.noise_density_a_per_rthz)) {
    throw ParameterError("noise_density", fmt::format("tia.noise_density = {} A/rtHz must be >= 0",
                                                      p.noise_density_a_per_rthz));
  }
  if (!(p.bandwidth_hz > 0.0) || !std::isfinite(p.bandwidth_hz)) {
    throw ParameterError("bandwidth",
                         fmt::format("tia.bandwidth = {} Hz must be > 0", p.bandwidth_hz));
  }
  if (p.order < 1 || p.order > 4) {
    throw ParameterError("order", fmt::format("tia.order = {} must be 1..4", p.order));
  }
  if (p.shape != FilterShape::butterworth && p.shape != FilterShape::bessel) {
    throw ParameterError("response", "tia.response must be butterworth or bessel");
  }
  if (!(p.output_swing_v > 0.0)) {
    throw ParameterError("output_swing",
                         fmt::format("tia.output_swing = {} V must be > 0", p.output_swing_v));
  }
  if (!(p.power_w >= 0.0)) {
    throw ParameterError("power", fmt::format("tia.power = {} W must be >= 0", p.power_w));
  }
}

void TiaBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  const double fs = lane.sample_rate_hz();
  if (params_.bandwidth_hz >= fs / 2.0) {
    throw ParameterError("bandwidth",
                         fmt::format("tia.bandwidth = {:.4g} GHz must be below half the sample "
                                     "rate ({:.4g} GHz)",
                                     params_.bandwidth_hz / 1e9, fs / 2e9));
  }
  const FirDesign design =
      receiver_response(params_.shape, params_.bandwidth_hz, params_.order, fs);
  delay_samples_ = design.delay_samples;
  noise_bandwidth_hz_ = optilane::noise_bandwidth_hz(design.taps, fs);
  response_ = RealFirFilter(design.taps);
  sigma_a_ = params_.noise_density_a_per_rthz * std::sqrt(fs / 2.0);
  dc_a_.reset();
  gain_ohm_.reset();
}

double TiaBlock::agc_gain(const std::vector<double>& x, double dc) const {
  // The chain's start-up (no light yet: the photocurrent near 0 for the upstream latency, ~100
  // samples) is left out: it would count as a swing of the full DC. The settled part starts at
  // the first sample reaching half the chunk's mean (a PAM4 photocurrent's lowest level lies above
  // it for ER < 4.8 dB; at higher ER the leading low symbols skipped are a handful).
  std::size_t first = 0;
  if (dc > 0.0) {
    while (first < x.size() && x[first] < 0.5 * dc) ++first;
  }
  if (first >= x.size()) return params_.transimpedance_ohm;
  const auto [low, high] =
      std::minmax_element(x.begin() + static_cast<std::ptrdiff_t>(first), x.end());
  const double swing_a = *high - *low;
  const double z = params_.transimpedance_ohm;
  return swing_a > 0.0 ? std::min(z, params_.output_swing_v / swing_a) : z;
}

void TiaBlock::process_twin(Signal& noisy, Block& twin, Signal& clean) {
  // The twin first: its first chunk sets its AGC gain from the noiseless input (process), which
  // this path then takes instead of setting its own from the noisy one.
  twin.process(clean);
  auto* other = dynamic_cast<TiaBlock*>(&twin);
  if (params_.gain_control == TiaGainControl::agc && other != nullptr && !gain_ohm_) {
    gain_ohm_ = other->gain_ohm_;
  }
  process(noisy);
}

void TiaBlock::process(Signal& chunk) {
  auto& x = chunk.electrical;
  if (!dc_a_) {
    dc_a_ =
        x.empty() ? 0.0 : std::accumulate(x.begin(), x.end(), 0.0) / static_cast<double>(x.size());
  }
  const double dc = *dc_a_;
  if (params_.gain_control == TiaGainControl::agc && !gain_ohm_) gain_ohm_ = agc_gain(x, dc);
  if (noise_enabled(NoiseKind::thermal) && sigma_a_ > 0.0) {
    // The chunk's thermal noise as one block of variates (RandomStream::fill_gaussian), added
    // as the DC is removed.
    RandomStream stream = noise_stream(chunk);
    thread_local std::vector<double> noise;
    noise.resize(x.size());
    stream.fill_gaussian(noise, sigma_a_);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] = (x[i] - dc) + noise[i];
  } else {
    for (double& v : x) v -= dc;
  }
  response_.process(x, x);
  const double z = gain_ohm();
  if (params_.mode == TiaMode::limiting) {
    const double half = params_.output_swing_v / 2.0;
    for (double& v : x) v = std::clamp(z * v, -half, half);
  } else {
    for (double& v : x) v *= z;
  }
}

void TiaBlock::reset() {
  response_.reset();
  dc_a_.reset();
  gain_ohm_.reset();
}

std::string TiaBlock::check_input(Domain input, bool has_carrier) const {
  (void)has_carrier;
  return input == Domain::electrical ? std::string()
                                     : "tia takes a photocurrent; place a photodetector before it";
}

std::string TiaBlock::describe() const {
  return fmt::format("tia: {:.4g} ohm ({:.1f} dBΩ), {:.3g} pA/rtHz, {:.3g} GHz {} order {}, {}",
                     params_.transimpedance_ohm, field_ratio_to_db(params_.transimpedance_ohm),
                     params_.noise_density_a_per_rthz * 1e12, params_.bandwidth_hz / 1e9,
                     filter_shape_name(params_.shape), params_.order,
                     params_.mode == TiaMode::limiting
                         ? fmt::format("limiting at {:.3g} Vpp", params_.output_swing_v)
                         : std::string("linear")) +
         (params_.gain_control == TiaGainControl::agc
              ? fmt::format(", AGC to {:.3g} Vpp{}", params_.output_swing_v,
                            gain_ohm_ ? fmt::format(" (gain {:.4g} ohm, {:.1f} dBΩ)", *gain_ohm_,
                                                    field_ratio_to_db(*gain_ohm_))
                                      : std::string())
              : std::string());
}

std::vector<PowerItem> TiaBlock::power() const {
  return {
      PowerItem{.category = PowerCategory::tia,
                .power_w = params_.power_w,
                .note = fmt::format("tia: {:.3g} mW (datasheet figure)", params_.power_w * 1e3)}};
}

// Figures for validation: input-referred noise, rms, over the noise bandwidth of the designed
// response (i_n·√B_n), that bandwidth, the set 3-dB bandwidth, Z_T in dBΩ and the power.
std::optional<double> TiaBlock::metric(std::string_view name, double argument) const {
  (void)argument;
  if (name == "noise_rms_a") {
    return params_.noise_density_a_per_rthz * std::sqrt(noise_bandwidth_hz_);
  }
  if (name == "noise_bandwidth_hz") return noise_bandwidth_hz_;
  if (name == "bandwidth_hz") return params_.bandwidth_hz;
  if (name == "transimpedance_dbohm") return 20.0 * std::log10(params_.transimpedance_ohm);
  if (name == "power_w") return params_.power_w;
  return std::nullopt;
}

std::vector<std::string> TiaBlock::metric_names() const {
  return {"noise_rms_a", "noise_bandwidth_hz", "bandwidth_hz", "transimpedance_dbohm", "power_w"};
}

}  // namespace optilane
