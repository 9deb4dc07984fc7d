#include "devices/serdes/serdes_tx.hpp"

#include <fmt/format.h>
#include <cmath>
#include <limits>
#include <numeric>

#include "devices/serdes/reach_class.hpp"
#include "phy/errors.hpp"
#include "phy/filter_design.hpp"
#include "phy/units.hpp"

namespace optilane {

SerdesTxParams SerdesTxParams::read(ParamReader& reader) {
  SerdesTxParams p;
  p.reach = reader.choice("class", "mr", {"xsr", "vsr", "mr", "lr"},
                          "Reach class; sets the power per bit (devices/serdes/reach_class.cpp).");
  p.ffe = reader.quantity_list("ffe", Dimension::dimensionless, {0.0, 1.0, 0.0},
                               "Tx FFE taps in time order, normalised to Σ|c| = 1 (802.3 COM).");
  p.pre_taps = static_cast<int>(
      reader.integer("pre_taps", 1, "Number of pre-cursor taps.", Range::between(0, 16)));
  p.swing_v = reader.quantity("swing", Dimension::voltage, 1.0,
                              "Differential peak-to-peak output swing (802.3ck KR A_v-style "
                              "0.4–0.6 V single-ended peak; 1 V diff p-p default).",
                              Range::positive());
  p.dac_bandwidth_hz = reader.quantity("dac_bandwidth", Dimension::frequency, 0.0,
                                       "DAC/driver 3-dB bandwidth (4th-order Bessel); 0: ideal.",
                                       Range::non_negative());
  p.enob = reader.quantity("enob", Dimension::dimensionless, 0.0,
                           "DAC effective number of bits; 0: no quantisation noise.",
                           Range::between(0.0, 16.0));
  p.rj_s = reader.quantity("rj", Dimension::time, 0.0, "RMS random jitter.", Range::non_negative());
  p.sj_s = reader.quantity("sj", Dimension::time, 0.0, "Sinusoidal jitter amplitude (peak).",
                           Range::non_negative());
  p.sj_frequency_hz = reader.quantity("sj_frequency", Dimension::frequency, 0.0,
                                      "Sinusoidal jitter frequency.", Range::non_negative());
  p.dd_s = reader.quantity("dj", Dimension::time, 0.0,
                           "Dual-Dirac deterministic jitter A_DD: each edge at ±A_DD, equiprobable "
                           "(802.3ck/dj COM A_DD 0.02 UI, figures.md §4).",
                           Range::non_negative());
  p.snr_db = reader.quantity("snr", Dimension::ratio_db, 33.0,
                             "Transmitter SNR (SNDR): noise held per UI ahead of the FFE, as COM's "
                             "SNR_TX (802.3ck/dj 33 dB, figures.md §4).",
                             Range::positive());
  return p;
}

SerdesTxBlock::SerdesTxBlock(const SerdesTxParams& params) : params_(params) {
  (void)reach_class(params_.reach);
  if (params_.ffe.empty()) throw ParameterError("ffe", "serdes_tx.ffe needs at least one tap");
  if (params_.pre_taps < 0 || params_.pre_taps >= static_cast<int>(params_.ffe.size())) {
    throw ParameterError("pre_taps", fmt::format("serdes_tx.pre_taps = {} must be in [0, {})",
                                                 params_.pre_taps, params_.ffe.size()));
  }
  double sum = 0.0;
  for (double c : params_.ffe) sum += std::abs(c);
  if (!(sum > 0.0)) throw ParameterError("ffe", "serdes_tx.ffe taps are all zero");
  for (double c : params_.ffe) taps_.push_back(c / sum);
  if (!(params_.swing_v > 0.0)) {
    throw ParameterError("swing",
                         fmt::format("serdes_tx.swing = {} V must be > 0", params_.swing_v));
  }
  if (params_.dac_bandwidth_hz < 0.0 || params_.enob < 0.0 || params_.rj_s < 0.0 ||
      params_.sj_s < 0.0 || params_.sj_frequency_hz < 0.0 || params_.dd_s < 0.0) {
    throw ParameterError("rj", "serdes_tx: bandwidth, enob and jitter must be ≥ 0");
  }
  if (!(params_.snr_db > 0.0)) {
    throw ParameterError("snr", fmt::format("serdes_tx.snr = {} dB must be > 0", params_.snr_db));
  }
}

void SerdesTxBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  const int sps = lane.samples_per_symbol;
  std::vector<double> fir((taps_.size() - 1) * static_cast<std::size_t>(sps) + 1, 0.0);
  for (std::size_t i = 0; i < taps_.size(); ++i) {
    fir[i * static_cast<std::size_t>(sps)] = taps_[i] * params_.swing_v;
  }
  ffe_ = RealFirFilter(fir);
  latency_ = static_cast<double>(params_.pre_taps * sps) + 1.0;  // + 1: jitter derivative
  if (params_.dac_bandwidth_hz > 0.0) {
    const FirDesign design = design_analog_fir(
        FilterSpec{.shape = FilterShape::bessel, .bandwidth_hz = params_.dac_bandwidth_hz},
        lane.sample_rate_hz());
    dac_ = RealFirFilter(design.taps);
    latency_ += design.delay_samples;
    edge_offset_ = static_cast<int>(std::lround(design.delay_samples));
  } else {
    edge_offset_ = 0;
    dac_ = RealFirFilter({1.0});  // a default RealFirFilter cannot be copied (no FFT plan)
  }
  // Mean square of equally spaced PAM-M levels spanning ±swing/2: (swing/2)² (M+1)/(3(M−1)).
  const int m = 1 << lane.bits_per_symbol;
  const double a = 0.5 * params_.swing_v;
  level_rms_v_ = a * std::sqrt((m + 1.0) / (3.0 * (m - 1.0)));
  input_level_rms_ = level_rms_v_ / params_.swing_v;  // the source's levels for a 1 V swing
  reset();
}

void SerdesTxBlock::reset() {
  ffe_.reset();
  dac_.reset();
  prev1_ = prev2_ = 0.0;
}

namespace {
/// ⌊a / b⌋ for b > 0.
std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && a < 0) ? q - 1 : q;
}
}  // namespace

RandomStream SerdesTxBlock::symbol_stream(std::int64_t k, std::uint64_t substream) const {
  return RandomStream(StreamId{.seed = lane_.seed,
                               .lane = static_cast<std::uint64_t>(lane_.lane),
                               .block = static_cast<std::uint64_t>(chain_index_),
                               .chunk = static_cast<std::uint64_t>(k),
                               .substream = substream});
}

void SerdesTxBlock::process(Signal& chunk) {
  auto& x = chunk.electrical;
  const int sps = lane_.samples_per_symbol;
  // Transmitter SNR: one Gaussian value per UI on the symbol's level, ahead of the FFE.
  if (noise_enabled(NoiseKind::other) && params_.snr_db < 200.0) {
    const double sigma = input_level_rms_ * std::pow(10.0, -params_.snr_db / 20.0);
    std::int64_t k = std::numeric_limits<std::int64_t>::min();
    double n_k = 0.0;
    for (std::size_t n = 0; n < x.size(); ++n) {
      const std::int64_t symbol = floor_div(chunk.first_sample + static_cast<std::int64_t>(n), sps);
      if (symbol != k) {
        k = symbol;
        n_k = sigma * symbol_stream(k, 17).gaussian();
      }
      x[n] += n_k;
    }
  }
  ffe_.process(x, x);
  if (params_.dac_bandwidth_hz > 0.0) dac_.process(x, x);
  const bool jitter = noise_enabled(NoiseKind::jitter) &&
                      (params_.rj_s > 0.0 || params_.sj_s > 0.0 || params_.dd_s > 0.0);
  const double fs = lane_.sample_rate_hz();
  // One sample of delay so the central difference (y[n] − y[n−2])/2 sits at y[n−1]; output n is
  // the time of sample n − 1, whose edge is symbol k's when it lies within ½ UI of k·T + edge.
  std::int64_t k = std::numeric_limits<std::int64_t>::min();
  double delta = 0.0;
  for (std::size_t n = 0; n < x.size(); ++n) {
    const double current = x[n];
    double out = prev1_;
    if (jitter) {
      const std::int64_t time = chunk.first_sample + static_cast<std::int64_t>(n) - 1;
      const std::int64_t symbol = floor_div(time - edge_offset_ + sps / 2, sps);
      if (symbol != k) {
        k = symbol;
        RandomStream stream = symbol_stream(k, 16);
        const double rj = stream.gaussian();
        const double dd = stream.uniform() < 0.5 ? -1.0 : 1.0;
        const double t = static_cast<double>(k) / lane_.symbol_rate_bd;
        delta = params_.rj_s * rj + params_.dd_s * dd +
                params_.sj_s * std::sin(2.0 * pi * params_.sj_frequency_hz * t);
      }
      out -= delta * (current - prev2_) * 0.5 * fs;
    }
    prev2_ = prev1_;
    prev1_ = current;
    x[n] = out;
  }
  if (noise_enabled(NoiseKind::quantization) && params_.enob > 0.0) {
    const double lsb = params_.swing_v / std::pow(2.0, params_.enob);
    RandomStream stream = noise_stream(chunk, 2);
    const double sigma = lsb / std::sqrt(12.0);
    for (double& v : x) v += sigma * stream.gaussian();
  }
}

std::string SerdesTxBlock::describe() const {
  std::string taps;
  for (double c : taps_) taps += fmt::format("{:.3f} ", c);
  return fmt::format(
      "serdes_tx ({}): FFE [{}] ({} pre), swing {:.3g} V, DAC {}, ENOB {}, RJ "
      "{:.3g} ps, DD ±{:.3g} ps, SJ {:.3g} ps @ {:.3g} MHz, SNR_TX {:.3g} dB (per UI)",
      params_.reach, taps.empty() ? taps : taps.substr(0, taps.size() - 1), params_.pre_taps,
      params_.swing_v,
      params_.dac_bandwidth_hz > 0.0 ? fmt::format("{:.3g} GHz", params_.dac_bandwidth_hz / 1e9)
                                     : std::string("ideal"),
      params_.enob > 0.0 ? fmt::format("{:.3g}", params_.enob) : std::string("off"),
      params_.rj_s * 1e12, params_.dd_s * 1e12, params_.sj_s * 1e12, params_.sj_frequency_hz / 1e6,
      params_.snr_db);
}

std::vector<PowerItem> SerdesTxBlock::power() const {
  if (!power_included_in().empty())
    return {included_power(PowerCategory::serdes, power_included_in())};
  const ReachClass& c = reach_class(params_.reach);
  const double watts = c.energy_per_bit_j * c.tx_share * lane_.bit_rate_bps();
  return {{PowerCategory::serdes, watts,
           fmt::format("{} class {:.3g} pJ/bit × Tx share {:.2f} × {:.4g} Gb/s", c.name,
                       c.energy_per_bit_j * 1e12, c.tx_share, lane_.bit_rate_bps() / 1e9)}};
}

}  // namespace optilane
