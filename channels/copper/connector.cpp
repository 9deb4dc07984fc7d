#include "channels/copper/connector.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"

namespace optilane {

namespace {
constexpr double db_per_neper = 8.685889638065035;
}

ConnectorParams ConnectorParams::read(ParamReader& reader) {
  ConnectorParams p;
  p.loss_db = reader.quantity("loss", Dimension::ratio_db, 0.5,
                              "Insertion loss at loss_frequency (0.5 dB, U typical).",
                              Range::non_negative());
  p.loss_frequency_hz =
      reader.quantity("loss_frequency", Dimension::frequency, 26.5625e9,
                      "Frequency of `loss` (default the 100G/lane Nyquist).", Range::positive());
  p.reflectance_db = reader.quantity("reflectance", Dimension::ratio_db, -20.0,
                                     "Step reflection at each end, dB (−20 dB: Γ = 0.1, U).",
                                     Range{.max = 0.0, .min_exclusive = false});
  p.delay_s =
      reader.quantity("delay", Dimension::time, 60e-12,
                      "Electrical length of the connector (60 ps, U).", Range::non_negative());
  return p;
}

ConnectorBlock::ConnectorBlock(const ConnectorParams& params) : params_(params) {
  if (!(params_.loss_db >= 0.0)) {
    throw ParameterError("loss",
                         fmt::format("connector.loss = {} dB must be ≥ 0", params_.loss_db));
  }
  if (!(params_.reflectance_db < 0.0)) {
    throw ParameterError("reflectance",
                         fmt::format("connector.reflectance = {} dB must be < 0 (a reflection "
                                     "coefficient below 1)",
                                     params_.reflectance_db));
  }
  if (!(params_.delay_s >= 0.0) || !(params_.loss_frequency_hz > 0.0)) {
    throw ParameterError("delay", "connector.delay must be ≥ 0 and loss_frequency > 0");
  }
}

double ConnectorBlock::impedance_ohm() const {
  const double gamma = std::pow(10.0, params_.reflectance_db / 20.0);
  return differential_reference_ohm * (1.0 + gamma) / (1.0 - gamma);
}

TwoPortNetwork ConnectorBlock::network() const {
  if (params_.loss_db == 0.0 && params_.delay_s == 0.0) return TwoPortNetwork{};
  // Loss per connector split half √f, half f at the reference frequency; "length" 1 mm.
  const double f_ghz = params_.loss_frequency_hz / 1e9;
  const double half_np = 0.5 * params_.loss_db / db_per_neper;
  const ComLineSpec line{.gamma0_per_mm = 0.0,
                         .a1_per_mm_rtghz = half_np / std::sqrt(f_ghz),
                         .a2_per_mm_ghz = half_np / f_ghz,
                         .tau_ns_per_mm = params_.delay_s * 1e9,
                         .zc_ohm = impedance_ohm()};
  return line.network(1e-3, fmt::format("connector {:.2g} dB", params_.loss_db));
}

std::string ConnectorBlock::describe() const {
  return fmt::format(
      "connector: {:.3g} dB @ {:.4g} GHz, reflectance {:.3g} dB (Z {:.1f} Ω), "
      "{:.3g} ps{}",
      params_.loss_db, params_.loss_frequency_hz / 1e9, params_.reflectance_db, impedance_ohm(),
      params_.delay_s * 1e12, cascade_note());
}

}  // namespace optilane
