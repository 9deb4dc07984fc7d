#include "devices/serdes/ctle.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>

#include "phy/design_cache.hpp"
#include "phy/errors.hpp"
#include "phy/filter_design.hpp"

namespace optilane {

CtleParams CtleParams::read(ParamReader& reader) {
  CtleParams p;
  p.dc_gain_db = reader.quantity("dc_gain", Dimension::ratio_db, 0.0,
                                 "DC gain g_DC (IEEE 802.3ck COM range −20..0 dB); the peaking "
                                 "is −g_DC − g_DC2 dB. 0: flat.",
                                 Range::between(-20.0, 0.0));
  p.dc_gain2_db = reader.quantity("dc_gain2", Dimension::ratio_db, 0.0,
                                  "Low-frequency gain g_DC2 below f_lf (802.3ck range −6..0 dB).",
                                  Range::between(-6.0, 0.0));
  p.zero_hz = reader.optional_quantity("zero", Dimension::frequency,
                                       "Zero f_z; default f_b/2.5 (COM).", Range::positive());
  p.pole1_hz = reader.optional_quantity(
      "pole1", Dimension::frequency, "First pole f_p1; default f_b/2.5 (COM).", Range::positive());
  p.pole2_hz = reader.optional_quantity("pole2", Dimension::frequency,
                                        "Second pole f_p2; default f_b (COM).", Range::positive());
  p.low_corner_hz = reader.optional_quantity(
      "low_corner", Dimension::frequency,
      "Pole/zero pair f_lf of the low-frequency shelf; default f_b/80 (802.3ck COM).",
      Range::positive());
  p.power_w = reader.quantity(
      "power", Dimension::power, 0.0,
      "Electrical power; default 0 (a CTLE is part of the receiver, TIA or driver it sits in, "
      "whose figure holds it). Set it for a stand-alone equaliser chip.",
      Range::non_negative());
  return p;
}

CtleBlock::CtleBlock(const CtleParams& params) : params_(params) {
  CtleSpec::check_gains(params_.dc_gain_db, params_.dc_gain2_db, "ctle", "dc_gain", "dc_gain2");
}

void CtleBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  spec_ = CtleSpec::com(lane.symbol_rate_bd, params_.dc_gain_db, params_.dc_gain2_db);
  if (params_.zero_hz) spec_.f_z_hz = *params_.zero_hz;
  if (params_.pole1_hz) spec_.f_p1_hz = *params_.pole1_hz;
  if (params_.pole2_hz) spec_.f_p2_hz = *params_.pole2_hz;
  if (params_.low_corner_hz) spec_.f_lf_hz = *params_.low_corner_hz;
  // The design samples H on a large grid; every lane (and every chain built with these values)
  // asks for the same one: kept per the response's inputs and the sample rate.
  using Key = std::tuple<double, double, double, double, double, double, double>;
  static DesignCache<Key, std::shared_ptr<const FirDesign>, 16> cache;
  const Key key{spec_.dc_gain_db, spec_.dc_gain2_db, spec_.f_z_hz,         spec_.f_p1_hz,
                spec_.f_p2_hz,    spec_.f_lf_hz,     lane.sample_rate_hz()};
  const bool cacheable = std::isfinite(lane.sample_rate_hz()) && std::isfinite(spec_.f_z_hz);
  const std::shared_ptr<const FirDesign> design = cache.get(key, cacheable, [this, &lane] {
    return std::make_shared<const FirDesign>(
        design_analog_fir([this](double f) { return spec_.response(f); }, lane.sample_rate_hz()));
  });
  filter_ = RealFirFilter(design->taps);
  latency_ = design->delay_samples;
}

void CtleBlock::process(Signal& chunk) {
  filter_.process(chunk.electrical, chunk.electrical);
}

std::string CtleBlock::check_input(Domain input, bool has_carrier) const {
  (void)has_carrier;
  if (input != Domain::electrical) {
    return "ctle equalises an electrical signal (the signal here is optical; put it after the "
           "photodetector or TIA, or before the modulator)";
  }
  return {};
}

std::vector<PowerItem> CtleBlock::power() const {
  if (!power_included_in().empty()) {
    return {included_power(PowerCategory::serdes, power_included_in())};
  }
  if (params_.power_w == 0.0) return {};  // part of the stage it sits in (header)
  return {{PowerCategory::serdes, params_.power_w, "set (ctle.power)"}};
}

double CtleBlock::peaking_db() const {
  // The largest |H(f)| up to the symbol rate over |H(0)|, on a grid of 1/2000 of it.
  const double top = lane_.symbol_rate_bd;
  const double dc = std::abs(spec_.response(0.0));
  double peak = dc;
  for (int i = 1; i <= 2000; ++i) peak = std::max(peak, std::abs(spec_.response(top * i / 2000)));
  return 20.0 * std::log10(peak / dc);
}

std::string CtleBlock::describe() const {
  return fmt::format(
      "ctle: g_DC {:.1f} dB, g_DC2 {:.1f} dB (peaking {:.1f} dB up to f_b), f_z {:.4g} GHz, "
      "f_p1 {:.4g} GHz, f_p2 {:.4g} GHz, f_lf {:.4g} GHz",
      params_.dc_gain_db, params_.dc_gain2_db, peaking_db(), spec_.f_z_hz / 1e9,
      spec_.f_p1_hz / 1e9, spec_.f_p2_hz / 1e9, spec_.f_lf_hz / 1e9);
}

}  // namespace optilane
