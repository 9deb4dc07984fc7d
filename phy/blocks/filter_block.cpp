#include "phy/blocks/filter_block.hpp"

#include <fmt/format.h>
#include <cmath>

#include "phy/errors.hpp"

namespace optilane {

FilterParams FilterParams::read(ParamReader& reader) {
  FilterParams p;
  p.shape = parse_filter_shape(reader.choice(
      "shape", "bessel", {"bessel", "butterworth", "gaussian", "raised_cosine", "brick_wall"},
      "Response shape. Default Bessel-Thomson, the reference-receiver response of IEEE 802.3 "
      "clause 121.8.5."));
  p.bandwidth_hz = reader.required_quantity("bandwidth", Dimension::frequency,
                                            "3-dB bandwidth (6-dB frequency for raised_cosine).",
                                            Range::positive());
  p.order = static_cast<int>(reader.integer(
      "order", 4, "Order of a Bessel or Butterworth response (4th order: IEEE 802.3 cl. 121.8.5).",
      Range::between(1, 10)));
  p.rolloff = reader.quantity("rolloff", Dimension::dimensionless, 0.5,
                              "Raised-cosine roll-off factor β.", Range::between(0.0, 1.0));
  return p;
}

FilterBlock::FilterBlock(const FilterParams& params) : params_(params) {
  if (!(params_.bandwidth_hz > 0.0) || !std::isfinite(params_.bandwidth_hz)) {
    throw ParameterError("bandwidth",
                         fmt::format("filter.bandwidth = {} Hz must be > 0", params_.bandwidth_hz));
  }
  if (params_.order < 1 || params_.order > 10) {
    throw ParameterError("order", fmt::format("filter.order = {} must be 1..10", params_.order));
  }
  if (params_.shape == FilterShape::raised_cosine &&
      !(params_.rolloff > 0.0 && params_.rolloff <= 1.0)) {
    throw ParameterError("rolloff",
                         fmt::format("filter.rolloff = {} must be in (0, 1]", params_.rolloff));
  }
}

void FilterBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  const FilterSpec spec{.shape = params_.shape,
                        .bandwidth_hz = params_.bandwidth_hz,
                        .order = params_.order,
                        .rolloff = params_.rolloff};
  const FirDesign design = design_filter_fir(spec, lane.sample_rate_hz());
  delay_samples_ = design.delay_samples;
  std::vector<std::complex<double>> complex_taps(design.taps.begin(), design.taps.end());
  real_ = RealFirFilter(design.taps);
  complex_ = ComplexFirFilter(std::move(complex_taps));
}

void FilterBlock::process(Signal& chunk) {
  if (chunk.domain == Domain::optical) {
    complex_.process(chunk.optical, chunk.optical);
  } else {
    real_.process(chunk.electrical, chunk.electrical);
  }
}

void FilterBlock::reset() {
  real_.reset();
  complex_.reset();
}

void FilterBlock::check_signal(const LaneContext& lane) const {
  const double nyquist_hz = 0.5 * lane.sample_rate_hz();
  if (params_.bandwidth_hz < nyquist_hz) return;
  throw ParameterError(
      "bandwidth",
      fmt::format("filter.bandwidth = {:.4g} GHz is at or above the simulated band's edge, "
                  "{:.4g} GHz (half the sample rate: {} samples per symbol at {:.6g} GBd), so "
                  "the filter would pass every simulated frequency unchanged; lower the bandwidth "
                  "or raise signal.samples_per_symbol",
                  params_.bandwidth_hz / 1e9, nyquist_hz / 1e9, lane.samples_per_symbol,
                  lane.symbol_rate_bd / 1e9));
}

std::string FilterBlock::describe() const {
  return fmt::format("filter: {} order {}, {:.3g} GHz", filter_shape_name(params_.shape),
                     params_.order, params_.bandwidth_hz / 1e9);
}

}  // namespace optilane
