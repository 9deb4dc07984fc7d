#include "channels/optical/optical_attenuator.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {

OpticalAttenuatorParams OpticalAttenuatorParams::read(ParamReader& reader) {
  OpticalAttenuatorParams p;
  p.loss_db = reader.quantity("loss", Dimension::ratio_db, 0.0, "Optical loss (a ratio, dB).",
                              Range::non_negative());
  return p;
}

OpticalAttenuatorBlock::OpticalAttenuatorBlock(const OpticalAttenuatorParams& params)
    : params_(params) {
  set_loss_db(params.loss_db);
}

void OpticalAttenuatorBlock::set_loss_db(double loss_db) {
  if (!(loss_db >= 0.0) || !std::isfinite(loss_db)) {
    throw ParameterError("loss",
                         fmt::format("optical_attenuator.loss = {} dB must be >= 0", loss_db));
  }
  params_.loss_db = loss_db;
  field_gain_ = db_to_field_ratio(-loss_db);
}

void OpticalAttenuatorBlock::process(Signal& chunk) {
  for (auto& v : chunk.optical) v *= field_gain_;
}

std::string OpticalAttenuatorBlock::describe() const {
  return fmt::format("optical_attenuator: {:.3g} dB", params_.loss_db);
}

std::string OpticalAttenuatorBlock::check_input(Domain input, bool has_carrier) const {
  return optical_input_problem("optical_attenuator", input, has_carrier);
}

std::string optical_input_problem(std::string_view name, Domain input, bool has_carrier) {
  if (has_carrier) {
    return fmt::format("{}: the laser's carrier upstream has no modulator before it", name);
  }
  if (input != Domain::optical) {
    return fmt::format(
        "{} needs an optical input (place it after the modulator, before the "
        "photodetector)",
        name);
  }
  return {};
}

}  // namespace optilane
