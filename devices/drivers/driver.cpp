#include "devices/drivers/driver.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "phy/errors.hpp"
#include "phy/filter_design.hpp"
#include "phy/units.hpp"

namespace optilane {

DriverParams DriverParams::read(ParamReader& reader) {
  DriverParams p;
  p.kind = reader.choice("kind", "linear", {"linear", "dac"},
                         "linear: an analog linear driver (LPO, NPO, CPO); dac: the DAC and "
                         "driver of a DSP transmitter.") == "dac"
               ? DriverKind::dac
               : DriverKind::linear;
  p.gain_db = reader.quantity("gain", Dimension::ratio_db, p.gain_db,
                              "Voltage gain. Default 6 dB (recollection: 1 Vpp host swing to "
                              "2 Vpp modulator drive).",
                              Range::between(-40.0, 60.0));
  p.bandwidth_hz = reader.quantity(
      "bandwidth", Dimension::frequency, p.bandwidth_hz,
      "3-dB bandwidth (4th-order Bessel-Thomson). Default 50 GHz (recollection, unverified).",
      Range::positive());
  p.swing_v = reader.quantity("swing", Dimension::voltage, p.swing_v,
                              "Rated output swing, peak-to-peak (clipping level; DAC full scale). "
                              "Default 2 V (recollection).",
                              Range::positive());
  p.noise_density_v_per_rthz =
      reader.quantity("noise_density", Dimension::voltage_density, p.noise_density_v_per_rthz,
                      "Input-referred noise density, one-sided (linear kind). Default 10 nV/rtHz "
                      "(recollection, unverified).",
                      Range::non_negative());
  p.enob = reader.quantity("enob", Dimension::dimensionless, p.enob,
                           "Effective number of bits of the DAC (dac kind). Default 5.5 "
                           "(recollection, unverified).",
                           Range::between(1.0, 16.0));
  p.power_w = reader.quantity("power", Dimension::power, p.power_w,
                              "Supply power. Default 0.15 W (recollection, unverified: "
                              "100-200 mW per lane).",
                              Range::non_negative());
  return p;
}

Driver::Driver(const DriverParams& params) : params_(params) {
  if (!(params_.bandwidth_hz > 0.0)) {
    throw ParameterError("bandwidth",
                         fmt::format("driver.bandwidth = {} Hz must be > 0", params_.bandwidth_hz));
  }
  if (!(params_.swing_v > 0.0)) {
    throw ParameterError("swing", fmt::format("driver.swing = {} V must be > 0", params_.swing_v));
  }
  if (!(params_.noise_density_v_per_rthz >= 0.0)) {
    throw ParameterError("noise_density", "driver.noise_density must be >= 0");
  }
  if (!(params_.enob >= 1.0 && params_.enob <= 16.0)) {
    throw ParameterError("enob", fmt::format("driver.enob = {} must be in [1, 16]", params_.enob));
  }
  if (!(params_.power_w >= 0.0)) {
    throw ParameterError("power", fmt::format("driver.power = {} W must be >= 0", params_.power_w));
  }
  if (!std::isfinite(params_.gain_db)) throw ParameterError("gain", "driver.gain must be finite");
}

void Driver::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  gain_ = db_to_field_ratio(params_.gain_db);
  const double fs = lane.sample_rate_hz();
  if (params_.kind == DriverKind::linear) {
    sigma_ = gain_ * params_.noise_density_v_per_rthz * std::sqrt(fs / 2.0);
  } else {
    sigma_ = params_.swing_v / (std::sqrt(12.0) * std::pow(2.0, params_.enob));
  }
  const FirDesign design = design_analog_fir(
      FilterSpec{.shape = FilterShape::bessel, .bandwidth_hz = params_.bandwidth_hz, .order = 4},
      fs);
  filter_ = RealFirFilter(design.taps);
  delay_samples_ = design.delay_samples;
}

void Driver::reset() {
  filter_.reset();
}

void Driver::process(Signal& chunk) {
  auto& x = chunk.electrical;
  const NoiseKind noise_kind =
      params_.kind == DriverKind::linear ? NoiseKind::thermal : NoiseKind::quantization;
  for (double& v : x) v *= gain_;
  if (noise_enabled(noise_kind) && sigma_ > 0.0) {
    noise_.resize(x.size());
    RandomStream stream = noise_stream(chunk);
    stream.fill_gaussian(noise_, sigma_);
    for (std::size_t i = 0; i < x.size(); ++i) x[i] += noise_[i];
  }
  filter_.process(x, x);
  if (params_.kind == DriverKind::linear) {
    const double limit = params_.swing_v / 2.0;
    for (double& v : x) v = std::clamp(v, -limit, limit);
  }
}

std::string Driver::describe() const {
  if (params_.kind == DriverKind::dac) {
    return fmt::format(
        "driver (dac): gain {:.2f} dB, {:.3g} GHz, full scale {:.3g} Vpp, ENOB "
        "{:.2f}, {:.3g} mW",
        params_.gain_db, params_.bandwidth_hz / 1e9, params_.swing_v, params_.enob,
        params_.power_w * 1e3);
  }
  return fmt::format(
      "driver (linear): gain {:.2f} dB, {:.3g} GHz, swing {:.3g} Vpp, {:.3g} "
      "nV/rtHz, {:.3g} mW",
      params_.gain_db, params_.bandwidth_hz / 1e9, params_.swing_v,
      params_.noise_density_v_per_rthz * 1e9, params_.power_w * 1e3);
}

std::vector<PowerItem> Driver::power() const {
  return {{PowerCategory::driver, params_.power_w, "set supply power"}};
}

std::string Driver::check_input(Domain input, bool has_carrier) const {
  (void)has_carrier;
  return input == Domain::electrical
             ? std::string()
             : "a driver amplifies an electrical signal; place it before the modulator";
}

}  // namespace optilane
