#include "channels/optical/optical_connector.hpp"

#include <fmt/format.h>
#include <cmath>

#include "channels/optical/optical_attenuator.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {

OpticalConnectorParams OpticalConnectorParams::read(ParamReader& reader) {
  OpticalConnectorParams p;
  p.loss_db = reader.quantity(
      "loss", Dimension::ratio_db, 0.5,
      "Insertion loss. Default 0.5 dB, a typical mated SM connector (the IEEE DR channel "
      "allocates 2.75 dB to connections and splices, figures.md §1.4).",
      Range::non_negative());
  p.reflectance_db = reader.optional_quantity(
      "reflectance", Dimension::ratio_db,
      "Reflectance of each of the two interfaces that cause MPI (e.g. -35 dB); absent: no MPI.",
      Range{.max = 0.0, .min_exclusive = false});
  p.reflection_spacing_m = reader.quantity(
      "reflection_spacing", Dimension::length, 2.0,
      "Distance between the two reflections (default 2 m, a patch cord).", Range::positive());
  p.group_index = reader.quantity("group_index", Dimension::dimensionless, 1.4677,
                                  "Group index between the reflections (SMF-28 at 1310 nm).",
                                  Range::between(1.0, 4.0));
  return p;
}

OpticalConnectorBlock::OpticalConnectorBlock(const OpticalConnectorParams& params)
    : params_(params) {
  if (!(params_.loss_db >= 0.0) || !std::isfinite(params_.loss_db)) {
    throw ParameterError(
        "loss", fmt::format("optical_connector.loss = {} dB must be >= 0", params_.loss_db));
  }
  if (params_.reflectance_db && !(*params_.reflectance_db < 0.0)) {
    throw ParameterError("reflectance", fmt::format("optical_connector.reflectance = {} dB must be "
                                                    "< 0",
                                                    *params_.reflectance_db));
  }
  if (!(params_.reflection_spacing_m > 0.0)) {
    throw ParameterError("reflection_spacing", "optical_connector.reflection_spacing must be > 0");
  }
  if (!(params_.group_index >= 1.0)) {
    throw ParameterError("group_index", "optical_connector.group_index must be >= 1");
  }
  field_gain_ = db_to_field_ratio(-params_.loss_db);
}

double OpticalConnectorBlock::reflection_product() const {
  if (!params_.reflectance_db) return 0.0;
  return db_to_power_ratio(2.0 * *params_.reflectance_db);
}

void OpticalConnectorBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  delay_ = 0;
  line_.clear();
  head_ = 0;
  if (params_.reflectance_db) {
    const double tau =
        2.0 * params_.group_index * params_.reflection_spacing_m / speed_of_light_m_per_s;
    delay_ = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::lround(tau * lane.sample_rate_hz())));
    line_.assign(delay_, Complex(0.0, 0.0));
  }
}

void OpticalConnectorBlock::process(Signal& chunk) {
  auto& e = chunk.optical;
  if (delay_ > 0) {
    const bool mpi = noise_enabled(NoiseKind::mpi);
    Complex echo(0.0, 0.0);
    if (mpi) {
      RandomStream stream = noise_stream(chunk);
      echo = std::polar(std::sqrt(reflection_product()), 2.0 * pi * stream.uniform());
    }
    for (auto& v : e) {
      const Complex delayed = line_[head_];
      line_[head_] = v;
      head_ = head_ + 1 == delay_ ? 0 : head_ + 1;
      if (mpi) v += echo * delayed;
    }
  }
  for (auto& v : e) v *= field_gain_;
}

void OpticalConnectorBlock::reset() {
  std::fill(line_.begin(), line_.end(), Complex(0.0, 0.0));
  head_ = 0;
}

std::string OpticalConnectorBlock::describe() const {
  if (!params_.reflectance_db) return fmt::format("optical_connector: {:.3g} dB", params_.loss_db);
  return fmt::format(
      "optical_connector: {:.3g} dB, MPI from 2 × {:.3g} dB reflections {:.3g} m "
      "apart (R1R2 = {:.3g} dB)",
      params_.loss_db, *params_.reflectance_db, params_.reflection_spacing_m,
      2.0 * *params_.reflectance_db);
}

std::string OpticalConnectorBlock::check_input(Domain input, bool has_carrier) const {
  return optical_input_problem("optical_connector", input, has_carrier);
}

}  // namespace optilane
