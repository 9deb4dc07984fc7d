#include "phy/blocks/awgn_block.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"

namespace optilane {

AwgnParams AwgnParams::read(ParamReader& reader) {
  AwgnParams p;
  p.snr_db = reader.optional_quantity(
      "snr", Dimension::ratio_db,
      "Signal AC power over noise power in the Nyquist bandwidth Rs/2, dB. Give snr or density.");
  p.density_per_rthz = reader.optional_quantity(
      "density", Dimension::voltage_density,
      "One-sided noise density (V/rtHz; a current density in A/rtHz is also accepted as the "
      "same number). Give snr or density.",
      Range::non_negative());
  if (p.snr_db.has_value() == p.density_per_rthz.has_value()) {
    reader.fail(p.snr_db ? "density" : "snr", "give exactly one of 'snr' and 'density'");
  }
  return p;
}

AwgnBlock::AwgnBlock(const AwgnParams& params) : params_(params) {
  if (params_.snr_db.has_value() == params_.density_per_rthz.has_value()) {
    throw ParameterError("snr", "awgn needs exactly one of snr and density");
  }
  if (params_.snr_db && !std::isfinite(*params_.snr_db)) {
    throw ParameterError("snr", "awgn.snr must be finite");
  }
  if (params_.density_per_rthz && !(*params_.density_per_rthz >= 0.0)) {
    throw ParameterError("density", "awgn.density must be >= 0");
  }
}

void AwgnBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  sigma_.reset();
  if (params_.density_per_rthz) {
    sigma_ = *params_.density_per_rthz * std::sqrt(lane.sample_rate_hz() / 2.0);
  }
}

void AwgnBlock::process(Signal& chunk) {
  if (chunk.domain != Domain::electrical) return;  // checked when the chain is built
  if (!sigma_) {
    double mean = 0.0, sq = 0.0;
    for (double v : chunk.electrical) mean += v;
    mean /= static_cast<double>(chunk.electrical.size());
    for (double v : chunk.electrical) sq += (v - mean) * (v - mean);
    const double ac_power = sq / static_cast<double>(chunk.electrical.size());
    sigma_ = std::sqrt(ac_power * lane_.samples_per_symbol / db_to_power_ratio(*params_.snr_db));
  }
  if (!noise_enabled(NoiseKind::thermal) || *sigma_ == 0.0) return;
  RandomStream stream = noise_stream(chunk);
  for (double& v : chunk.electrical) v += *sigma_ * stream.gaussian();
}

std::string AwgnBlock::describe() const {
  if (params_.snr_db) return fmt::format("awgn: SNR {:.2f} dB in Rs/2", *params_.snr_db);
  return fmt::format("awgn: {:.3g} V/rtHz", *params_.density_per_rthz);
}

}  // namespace optilane
