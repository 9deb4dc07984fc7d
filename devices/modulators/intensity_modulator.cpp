#include "devices/modulators/intensity_modulator.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>

#include "phy/errors.hpp"
#include "phy/filter_design.hpp"
#include "phy/units.hpp"

namespace optilane {

std::string modulator_input_problem(std::string_view name, Domain input, bool has_carrier) {
  if (input != Domain::electrical || !has_carrier) {
    return fmt::format(
        "{} modulates a laser's carrier with an electrical drive; place a laser (kind cw, els, "
        "or dfb with direct_modulation: false) before it{}",
        name, input == Domain::optical ? " (its input here is already an optical signal)" : "");
  }
  return {};
}

IntensityModulatorParams IntensityModulatorParams::read(ParamReader& reader) {
  IntensityModulatorParams p;
  p.extinction_ratio_db = reader.quantity(
      "extinction_ratio", Dimension::ratio_db, p.extinction_ratio_db,
      "Extinction ratio at the nominal swing. Default 6 dB (IEEE 802.3 minimum 3.5 dB, "
      "figures.md §1.2; typical static EML 5-8 dB, §2.1, unverified).",
      Range::positive());
  p.swing_v = reader.quantity("swing", Dimension::voltage, p.swing_v,
                              "Drive peak-to-peak swing spanning the extinction ratio. Default "
                              "1 V, the lane source's default swing.",
                              Range::positive());
  p.insertion_loss_db =
      reader.quantity("insertion_loss", Dimension::ratio_db, p.insertion_loss_db,
                      "Insertion loss; default 0 (ideal).", Range::non_negative());
  p.bandwidth_hz = reader.optional_quantity(
      "bandwidth", Dimension::frequency,
      "Optional 3-dB bandwidth of the drive (4th-order Bessel-Thomson); absent: unlimited.",
      Range::positive());
  return p;
}

IntensityModulator::IntensityModulator(const IntensityModulatorParams& params) : params_(params) {
  if (!(params_.extinction_ratio_db > 0.0) || !std::isfinite(params_.extinction_ratio_db)) {
    throw ParameterError("extinction_ratio",
                         fmt::format("intensity_modulator.extinction_ratio = {} dB must be > 0",
                                     params_.extinction_ratio_db));
  }
  if (!(params_.swing_v > 0.0)) {
    throw ParameterError(
        "swing", fmt::format("intensity_modulator.swing = {} V must be > 0", params_.swing_v));
  }
  if (!(params_.insertion_loss_db >= 0.0)) {
    throw ParameterError("insertion_loss",
                         fmt::format("intensity_modulator.insertion_loss = {} dB must be >= 0",
                                     params_.insertion_loss_db));
  }
  if (params_.bandwidth_hz && !(*params_.bandwidth_hz > 0.0)) {
    throw ParameterError(
        "bandwidth",
        fmt::format("intensity_modulator.bandwidth = {} Hz must be > 0", *params_.bandwidth_hz));
  }
}

void IntensityModulator::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  if (params_.bandwidth_hz) {
    const FirDesign design = design_analog_fir(
        FilterSpec{.shape = FilterShape::bessel, .bandwidth_hz = *params_.bandwidth_hz, .order = 4},
        lane.sample_rate_hz());
    filter_ = RealFirFilter(design.taps);
    delay_samples_ = design.delay_samples;
  }
}

void IntensityModulator::reset() {
  if (!filter_.empty()) filter_.reset();
}

double IntensityModulator::transmission(double drive_v) const {
  const double floor = db_to_power_ratio(-params_.extinction_ratio_db);
  return std::clamp(0.5 * (1.0 + floor) + drive_v / params_.swing_v * (1.0 - floor), 0.0, 1.0);
}

void IntensityModulator::process(Signal& chunk) {
  if (!filter_.empty()) filter_.process(chunk.electrical, chunk.electrical);
  const double loss = db_to_power_ratio(-params_.insertion_loss_db);
  for (std::size_t i = 0; i < chunk.optical.size(); ++i) {
    chunk.optical[i] *= std::sqrt(loss * transmission(chunk.electrical[i]));
  }
  chunk.domain = Domain::optical;
  chunk.has_carrier = false;
}

std::string IntensityModulator::describe() const {
  return fmt::format("intensity_modulator: ER {:.2f} dB at {:.3g} Vpp, IL {:.2f} dB{}",
                     params_.extinction_ratio_db, params_.swing_v, params_.insertion_loss_db,
                     params_.bandwidth_hz
                         ? fmt::format(", {:.3g} GHz Bessel", *params_.bandwidth_hz / 1e9)
                         : std::string());
}

std::string IntensityModulator::check_input(Domain input, bool has_carrier) const {
  return modulator_input_problem("intensity_modulator", input, has_carrier);
}

}  // namespace optilane
