#include "devices/serdes/serdes_rx.hpp"

#include <fmt/format.h>
#include <algorithm>
#include <cmath>
#include <memory>
#include <tuple>

#include "devices/serdes/reach_class.hpp"
#include "phy/design_cache.hpp"
#include "phy/errors.hpp"
#include "phy/filter_design.hpp"
#include "phy/units.hpp"

namespace optilane {

std::complex<double> CtleSpec::response(double f) const {
  using C = std::complex<double>;
  const double g = std::pow(10.0, dc_gain_db / 20.0);
  const double g2 = std::pow(10.0, dc_gain2_db / 20.0);
  const C main =
      (g + C(0.0, f / f_z_hz)) / ((1.0 + C(0.0, f / f_p1_hz)) * (1.0 + C(0.0, f / f_p2_hz)));
  const C low = (g2 + C(0.0, f / f_lf_hz)) / (1.0 + C(0.0, f / f_lf_hz));
  return main * low;
}

CtleSpec CtleSpec::com(double symbol_rate_bd, double dc_gain_db, double dc_gain2_db) {
  return {.dc_gain_db = dc_gain_db,
          .dc_gain2_db = dc_gain2_db,
          .f_z_hz = symbol_rate_bd / 2.5,
          .f_p1_hz = symbol_rate_bd / 2.5,
          .f_p2_hz = symbol_rate_bd,
          .f_lf_hz = symbol_rate_bd / 80.0};
}

void CtleSpec::check_gains(double dc_gain_db, double dc_gain2_db, std::string_view block,
                           std::string_view gain_key, std::string_view gain2_key) {
  if (!(dc_gain_db >= -20.0 && dc_gain_db <= 0.0)) {
    throw ParameterError(std::string(gain_key), fmt::format("{}.{} = {} dB must be in [−20, 0]",
                                                            block, gain_key, dc_gain_db));
  }
  if (!(dc_gain2_db >= -6.0 && dc_gain2_db <= 0.0)) {
    throw ParameterError(std::string(gain2_key), fmt::format("{}.{} = {} dB must be in [−6, 0]",
                                                             block, gain2_key, dc_gain2_db));
  }
}

SerdesRxParams SerdesRxParams::read(ParamReader& reader) {
  SerdesRxParams p;
  p.reach = reader.choice("class", "mr", {"xsr", "vsr", "mr", "lr"},
                          "Reach class; sets the power per bit (devices/serdes/reach_class.cpp).");
  p.ctle_dc_gain_db = reader.quantity("ctle_dc_gain", Dimension::ratio_db, 0.0,
                                      "CTLE DC gain g_DC (802.3ck range −20..0 dB); 0: flat.",
                                      Range::between(-20.0, 0.0));
  p.ctle_dc_gain2_db = reader.quantity("ctle_dc_gain2", Dimension::ratio_db, 0.0,
                                       "CTLE low-frequency gain g_DC2 (802.3ck range −6..0 dB).",
                                       Range::between(-6.0, 0.0));
  p.bandwidth_ratio = reader.quantity("bandwidth_ratio", Dimension::dimensionless, 0.58,
                                      "Receiver bandwidth over the symbol rate, 4th-order "
                                      "Butterworth (802.3dj COM 0.58, figures.md §4); 0: none.",
                                      Range::between(0.0, 4.0));
  const double density = reader.quantity(
      "noise_density", Dimension::voltage_density, std::sqrt(6e-18),
      "Input noise density √η0 (802.3dj COM η0 = 6e-9 V²/GHz, figures.md §4); 0: noiseless.",
      Range::non_negative());
  p.noise_density_v2_per_hz = density * density;
  p.crosstalk_icn_v = reader.quantity(
      "crosstalk", Dimension::voltage, 0.0,
      "Integrated crosstalk noise σ_ICN of the NEXT/FEXT aggressors at the input (RMS through "
      "a 4th-order Butterworth at 0.75·f_b); 0: none.",
      Range::non_negative());
  return p;
}

SerdesRxBlock::SerdesRxBlock(const SerdesRxParams& params) : params_(params) {
  (void)reach_class(params_.reach);
  CtleSpec::check_gains(params_.ctle_dc_gain_db, params_.ctle_dc_gain2_db, "serdes_rx",
                        "ctle_dc_gain", "ctle_dc_gain2");
  if (params_.bandwidth_ratio < 0.0 || params_.noise_density_v2_per_hz < 0.0 ||
      params_.crosstalk_icn_v < 0.0) {
    throw ParameterError("bandwidth_ratio", "serdes_rx: bandwidth and noise must be ≥ 0");
  }
}

std::complex<double> SerdesRxBlock::response(double f) const {
  std::complex<double> h = ctle_.response(f);
  if (params_.bandwidth_ratio > 0.0) {
    h *= filter_response(FilterSpec{.shape = FilterShape::butterworth,
                                    .bandwidth_hz = params_.bandwidth_ratio * lane_.symbol_rate_bd},
                         f);
  }
  return h;
}

void SerdesRxBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  ctle_ = CtleSpec::com(lane.symbol_rate_bd, params_.ctle_dc_gain_db, params_.ctle_dc_gain2_db);
  // response() reads the CTLE (symbol rate and its two DC gains) and the Butterworth's bandwidth
  // ratio; the design samples it on a ≥ 2^16-point grid, the same for every lane and every chain
  // built with these values: kept per those exact inputs and the sample rate.
  using Key = std::tuple<double, double, double, double, double>;
  static DesignCache<Key, std::shared_ptr<const FirDesign>, 32> cache;
  const Key key{lane.symbol_rate_bd, params_.ctle_dc_gain_db, params_.ctle_dc_gain2_db,
                params_.bandwidth_ratio, lane.sample_rate_hz()};
  const bool cacheable = std::isfinite(std::get<0>(key) + std::get<1>(key) + std::get<2>(key) +
                                       std::get<3>(key) + std::get<4>(key));  // NaN: no order
  const std::shared_ptr<const FirDesign> design = cache.get(key, cacheable, [this, &lane] {
    return std::make_shared<const FirDesign>(
        design_analog_fir([this](double f) { return response(f); }, lane.sample_rate_hz()));
  });
  filter_ = RealFirFilter(design->taps);
  latency_ = design->delay_samples;
  crosstalk_held_rms_ =
      params_.crosstalk_icn_v > 0.0
          ? params_.crosstalk_icn_v /
                held_rms_through_icn_filter(lane.symbol_rate_bd, lane.samples_per_symbol)
          : 0.0;
  crosstalk_window_.assign(static_cast<std::size_t>(lane.samples_per_symbol), 0.0);
  reset();
}

void SerdesRxBlock::reset() {
  filter_.reset();
  std::fill(crosstalk_window_.begin(), crosstalk_window_.end(), 0.0);
  crosstalk_sum_ = 0.0;
  crosstalk_pos_ = 0;
}

double SerdesRxBlock::held_rms_through_icn_filter(double symbol_rate_bd, int sps) {
  const FilterSpec icn{.shape = FilterShape::butterworth, .bandwidth_hz = 0.75 * symbol_rate_bd};
  const double fs = symbol_rate_bd * sps;
  constexpr int steps = 1 << 14;  // midpoint rule on ν ∈ (0, ½)
  double sum = 0.0;
  for (int i = 0; i < steps; ++i) {
    const double nu = 0.5 * (i + 0.5) / steps;
    const double dirichlet = std::sin(pi * nu * sps) / std::sin(pi * nu);
    sum += dirichlet * dirichlet / sps * std::norm(filter_response(icn, nu * fs));
  }
  return std::sqrt(2.0 * sum * 0.5 / steps);
}

void SerdesRxBlock::process(Signal& chunk) {
  auto& x = chunk.electrical;
  if (noise_enabled(NoiseKind::thermal) && params_.noise_density_v2_per_hz > 0.0) {
    // One-sided density η0 over 0..fs/2: σ² = η0 fs / 2.
    const double sigma = std::sqrt(params_.noise_density_v2_per_hz * 0.5 * lane_.sample_rate_hz());
    RandomStream stream = noise_stream(chunk);
    for (double& v : x) v += sigma * stream.gaussian();
  }
  if (noise_enabled(NoiseKind::crosstalk) && crosstalk_held_rms_ > 0.0) {
    // The phase-averaged aggressor: a moving sum of the last sps white samples (header).
    RandomStream stream = noise_stream(chunk, 1);
    const double scale =
        crosstalk_held_rms_ / std::sqrt(static_cast<double>(crosstalk_window_.size()));
    for (double& v : x) {
      const double w = stream.gaussian();
      crosstalk_sum_ += w - crosstalk_window_[crosstalk_pos_];
      crosstalk_window_[crosstalk_pos_] = w;
      if (++crosstalk_pos_ == crosstalk_window_.size()) crosstalk_pos_ = 0;
      v += scale * crosstalk_sum_;
    }
  }
  filter_.process(x, x);
}

std::string SerdesRxBlock::describe() const {
  return fmt::format(
      "serdes_rx ({}): CTLE g_DC {:.3g} dB, g_DC2 {:.3g} dB (f_z = f_p1 {:.3g} GHz, "
      "f_p2 {:.3g} GHz, f_LF {:.3g} GHz), Rx BW {:.3g}·f_b, η0 {:.3g} V²/GHz, crosstalk ICN "
      "{:.3g} mV",
      params_.reach, params_.ctle_dc_gain_db, params_.ctle_dc_gain2_db, ctle_.f_z_hz / 1e9,
      ctle_.f_p2_hz / 1e9, ctle_.f_lf_hz / 1e9, params_.bandwidth_ratio,
      params_.noise_density_v2_per_hz * 1e9, params_.crosstalk_icn_v * 1e3);
}

std::vector<PowerItem> SerdesRxBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::serdes, power_included_in())};
  const ReachClass& c = reach_class(params_.reach);
  const double watts = c.energy_per_bit_j * (1.0 - c.tx_share) * lane_.bit_rate_bps();
  return {{PowerCategory::serdes, watts,
           fmt::format("{} class {:.3g} pJ/bit × Rx share {:.2f} × {:.4g} Gb/s", c.name,
                       c.energy_per_bit_j * 1e12, 1.0 - c.tx_share, lane_.bit_rate_bps() / 1e9)}};
}

}  // namespace optilane
