#include "channels/optical/wdm_filter.hpp"

#include <fmt/format.h>

#include <cmath>
#include <numbers>

#include "channels/optical/optical_attenuator.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {

WdmFilterParams WdmFilterParams::read(ParamReader& reader) {
  WdmFilterParams p;
  p.insertion_loss_db = reader.quantity(
      "loss", Dimension::ratio_db, p.insertion_loss_db,
      "Insertion loss at the passband centre. Default 1.5 dB (figures.md §2.8: CWDM4 TFF box "
      "≤ 1.6 dB, verified; in-module mux/demux 1.0–2.5 dB, unverified).",
      Range::non_negative());
  p.bandwidth_m = reader.quantity(
      "bandwidth", Dimension::length, p.bandwidth_m,
      "Full 3-dB passband width (in wavelength). Default 13 nm (figures.md §2.8: CWDM4 passband "
      "> 13 nm, verified); use about 3 nm for the 800 GHz LWDM grid.",
      Range::positive());
  p.order = static_cast<int>(reader.integer(
      "order", p.order,
      "Super-Gaussian order m of exp(−ln2·|2Δλ/B|^(2m)); 1 = Gaussian. Default 3 (unverified: a "
      "flat-topped thin-film filter).",
      Range::between(1, 20)));
  p.isolation_db = reader.quantity(
      "isolation", Dimension::ratio_db, p.isolation_db,
      "Isolation floor: the least rejection of light away from the passband. Default 30 dB "
      "(figures.md §2.8: CWDM4 demux adjacent isolation > 30 dB, verified).",
      Range::non_negative());
  p.centre_m = reader.optional_quantity(
      "centre", Dimension::length,
      "Port centre wavelength; absent: the lane's grid wavelength (lanes.wdm).",
      Range::between(200e-9, 3000e-9));
  return p;
}

double wdm_transmission(const WdmFilterParams& p, double offset_m) {
  const double x = std::abs(2.0 * offset_m / p.bandwidth_m);
  const double shape = std::exp(-std::numbers::ln2 * std::pow(x, 2.0 * p.order));
  return db_to_power_ratio(-p.insertion_loss_db) *
         std::max(shape, db_to_power_ratio(-p.isolation_db));
}

MuxBlock::MuxBlock(const WdmFilterParams& params) : params_(params) {
  if (!(params.insertion_loss_db >= 0.0) || !std::isfinite(params.insertion_loss_db)) {
    throw ParameterError("loss",
                         fmt::format("loss = {} dB must be >= 0", params.insertion_loss_db));
  }
  if (!(params.bandwidth_m > 0.0)) {
    throw ParameterError("bandwidth",
                         fmt::format("bandwidth = {} nm must be > 0", params.bandwidth_m * 1e9));
  }
  if (params.order < 1) {
    throw ParameterError("order", fmt::format("order = {} must be >= 1", params.order));
  }
  if (!(params.isolation_db >= 0.0)) {
    throw ParameterError("isolation",
                         fmt::format("isolation = {} dB must be >= 0", params.isolation_db));
  }
}

void MuxBlock::prepare(const LaneContext& lane) {
  Block::prepare(lane);
  centre_m_ = params_.centre_m.value_or(lane.wavelength_m);
  own_field_gain_ = std::sqrt(wdm_transmission(params_, lane.wavelength_m - centre_m_));
}

double MuxBlock::loss_db() const {
  return -power_ratio_to_db(own_field_gain_ * own_field_gain_);
}

void MuxBlock::process(Signal& chunk) {
  for (auto& v : chunk.optical) v *= own_field_gain_;
}

std::string MuxBlock::describe() const {
  return fmt::format(
      "{}: centre {:.2f} nm, 3-dB width {:.3g} nm (super-Gaussian order {}), IL "
      "{:.3g} dB, isolation {:.3g} dB; lane loss {:.3g} dB",
      kind(), centre_m_ * 1e9, params_.bandwidth_m * 1e9, params_.order, params_.insertion_loss_db,
      params_.isolation_db, loss_db());
}

std::string MuxBlock::check_input(Domain input, bool has_carrier) const {
  return optical_input_problem(kind(), input, has_carrier);
}

DemuxBlock::DemuxBlock(const WdmFilterParams& params) : MuxBlock(params) {}

DemuxBlock::DemuxBlock(const DemuxBlock& other) : MuxBlock(other), leak_w_(other.leak_w_) {
  for (const auto& n : other.neighbours_) {
    DemuxNeighbour spec{.lane = n.spec.lane,
                        .wavelength_m = n.spec.wavelength_m,
                        .chain = {},
                        .pattern = n.spec.pattern,
                        .modulation = n.spec.modulation,
                        .pattern_seed = n.spec.pattern_seed,
                        .skip_symbols = n.spec.skip_symbols,
                        .precoding = n.spec.precoding,
                        .swing_v = n.spec.swing_v};
    for (const auto& block : n.spec.chain) spec.chain.push_back(block->clone());
    neighbours_.push_back(Running{.spec = std::move(spec),
                                  .generator = n.generator,
                                  .precoder = n.precoder,
                                  .transmission = n.transmission,
                                  .buffer = n.buffer,
                                  .symbols = n.symbols});
  }
}

DemuxBlock::Running DemuxBlock::start(DemuxNeighbour spec, double transmission) {
  PatternGenerator generator(spec.pattern, spec.modulation, spec.pattern_seed);
  Precoder precoder(levels_of(spec.modulation));
  Running running{.spec = std::move(spec),
                  .generator = std::move(generator),
                  .precoder = precoder,
                  .transmission = transmission,
                  .buffer = {},
                  .symbols = {}};
  for (const auto& block : running.spec.chain) block->set_noise_enabled(false);
  restart(running);
  return running;
}

void DemuxBlock::restart(Running& running) {
  running.generator.reset();
  running.precoder.reset();
  for (const auto& block : running.spec.chain) block->reset();
  // Decorrelate from the victim's copy of the same pattern by starting elsewhere in its period.
  std::vector<int> skipped(4096);
  for (std::uint64_t left = running.spec.skip_symbols; left > 0;) {
    const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(left, skipped.size()));
    running.generator.next(std::span<int>(skipped.data(), n));
    left -= n;
  }
}

void DemuxBlock::add_neighbour(DemuxNeighbour neighbour) {
  const double transmission = wdm_transmission(params_, neighbour.wavelength_m - centre_m_);
  neighbours_.push_back(start(std::move(neighbour), transmission));
}

void DemuxBlock::reset() {
  MuxBlock::reset();
  for (auto& n : neighbours_) restart(n);
}

void DemuxBlock::process(Signal& chunk) {
  MuxBlock::process(chunk);
  if (neighbours_.empty() || !noise_enabled(NoiseKind::crosstalk)) return;
  const std::size_t samples = chunk.optical.size();
  const int sps = lane_.samples_per_symbol;
  const std::size_t count = samples / static_cast<std::size_t>(sps);
  leak_w_.assign(samples, 0.0);
  for (auto& n : neighbours_) {
    // The neighbour's drive, as the lane source makes it (lane_runner.cpp).
    n.symbols.resize(count);
    n.generator.next(std::span<int>(n.symbols.data(), count));
    Signal& s = n.buffer;
    s.domain = Domain::electrical;
    s.has_carrier = false;
    s.electrical.resize(samples);
    s.optical.clear();
    s.sample_rate_hz = chunk.sample_rate_hz;
    s.wavelength_m = n.spec.wavelength_m;
    s.first_sample = chunk.first_sample;
    s.chunk_index = chunk.chunk_index;
    const int m = levels_of(n.spec.modulation);
    for (std::size_t k = 0; k < count; ++k) {
      const int level = n.spec.precoding ? n.precoder.encode(n.symbols[k]) : n.symbols[k];
      std::fill_n(s.electrical.begin() + static_cast<std::ptrdiff_t>(k * sps), sps,
                  n.spec.swing_v / 2.0 * symbol_level(level, m));
    }
    for (const auto& block : n.spec.chain) block->process(s);
    if (s.domain != Domain::optical || s.optical.size() != samples) continue;
    for (std::size_t i = 0; i < samples; ++i)
      leak_w_[i] += n.transmission * std::norm(s.optical[i]);
  }
  for (std::size_t i = 0; i < samples; ++i) {
    const Complex e = chunk.optical[i];
    const double own = std::norm(e);
    const double total = std::sqrt(own + leak_w_[i]);
    chunk.optical[i] = own > 0.0 ? e * (total / std::sqrt(own)) : Complex(total, 0.0);
  }
}

std::string DemuxBlock::describe() const {
  std::string text = MuxBlock::describe();
  if (!neighbours_.empty()) {
    text += "; crosstalk from";
    for (const auto& n : neighbours_) {
      text += fmt::format(" lane {} ({:.2f} nm, {:.1f} dB)", n.spec.lane, n.spec.wavelength_m * 1e9,
                          power_ratio_to_db(n.transmission));
    }
  }
  return text;
}

}  // namespace optilane
