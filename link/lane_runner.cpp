#include "link/lane_runner.hpp"

#include "link/level_shaping.hpp"
#include "link/ring_lock.hpp"

#include <omp.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <exception>
#include <functional>
#include <limits>
#include <map>
#include <numbers>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "link/optical_rx.hpp"
#include "link/progress.hpp"
#include "link/receiver_dsp.hpp"
#include "link/segments.hpp"
#include "phy/analysis/fec.hpp"
#include "phy/analysis/record_memo.hpp"
#include "phy/analysis/tdecq.hpp"
#include "phy/errors.hpp"
#include "phy/overlap_save.hpp"
#include "phy/simd.hpp"

namespace optilane {
namespace {

constexpr std::int64_t chunk_symbols = 2048;
constexpr std::int64_t calibration_symbols = 4096;
/// Cursors of the fitted pulse response: pre-cursors and post-cursors, in UI.
constexpr int pulse_pre_cursors = 6;
constexpr int pulse_post_cursors = 24;

/// Transmitted symbols kept for the receiver, indexed by absolute symbol number.
class SymbolHistory {
 public:
  explicit SymbolHistory(std::size_t capacity) {
    std::size_t size = 1;
    while (size < capacity) size <<= 1;
    levels_.resize(size);
    data_.resize(size);
    mask_ = size - 1;
  }
  void store(std::int64_t k, int level, int data) {
    levels_[static_cast<std::size_t>(k) & mask_] = level;
    data_[static_cast<std::size_t>(k) & mask_] = data;
  }
  [[nodiscard]] int level(std::int64_t k) const {
    return levels_[static_cast<std::size_t>(k) & mask_];
  }
  [[nodiscard]] int data(std::int64_t k) const {
    return data_[static_cast<std::size_t>(k) & mask_];
  }

 private:
  std::vector<int> levels_, data_;
  std::size_t mask_ = 0;
};

/// True when some x_i is NaN or ±∞, i.e. has all eleven exponent bits set: adding 2^52 to the
/// exponent field alone carries into bit 63 exactly then (0x7FF + 1 = 0x800). Integer AND, add and
/// OR per value, so the loop vectorises (to AVX2 where the CPU has it: phy/simd.hpp), with no sum
/// of the values themselves (which could overflow).
OPTILANE_SIMD_CLONES bool any_non_finite(const double* x, std::size_t count) {
  constexpr std::uint64_t exponent = 0x7FF0000000000000ULL;
  constexpr std::uint64_t one = 0x0010000000000000ULL;
  std::uint64_t carry = 0;
  for (std::size_t i = 0; i < count; ++i)
    carry |= (std::bit_cast<std::uint64_t>(x[i]) & exponent) + one;
  return (carry >> 63) != 0;
}

void check_finite(const Signal& chunk, const Block& block) {
  // The field's real and imaginary parts, interleaved (std::complex's array layout).
  const bool bad = chunk.domain == Domain::optical
                       ? any_non_finite(reinterpret_cast<const double*>(chunk.optical.data()),
                                        2 * chunk.optical.size())
                       : any_non_finite(chunk.electrical.data(), chunk.electrical.size());
  if (bad) {
    throw NumericError(fmt::format("block '{}' ({}) produced NaN or Inf in chunk {}", block.label(),
                                   block.kind(), chunk.chunk_index));
  }
}

double energy(const Signal& chunk) {
  double sum = 0.0;
  if (chunk.domain == Domain::optical) {
    for (const auto& v : chunk.optical) sum += std::norm(v);
  } else {
    for (double v : chunk.electrical) sum += v * v;
  }
  return sum;
}

/// Energy conservation of passive blocks on the noiseless path: over the whole run, the energy a
/// passive block emits cannot exceed what it received (for a FIR with |H| <= 1 this holds for every
/// prefix of the stream). On in debug builds, or with OPTILANE_CHECK_ENERGY=1.
bool energy_checks_enabled() {
#ifndef NDEBUG
  return true;
#else
  const char* flag = std::getenv("OPTILANE_CHECK_ENERGY");
  return flag != nullptr && std::string(flag) == "1";
#endif
}

/// The transmitter's own noise (RIN, driver noise, DAC quantisation): the noisy twin's power minus
/// the noiseless one at the transmitter output, through the reference receiver's Bessel–Thomson
/// filter at Rs/2 (cl. 121.8.5.1), RMS after the filter's start-up.
double transmitter_noise_rms(const LinkConfig& config,
                             const std::vector<std::complex<double>>& field,
                             const std::vector<std::complex<double>>& noisy_field) {
  const TdecqSettings settings{.symbol_rate_bd = config.signal.symbol_rate_bd,
                               .samples_per_symbol = config.signal.samples_per_symbol};
  RealFirFilter reference(reference_receiver_taps(settings));
  std::vector<double> noise(field.size());
  for (std::size_t i = 0; i < field.size(); ++i) {
    noise[i] = std::norm(noisy_field[i]) - std::norm(field[i]);
  }
  reference.process(noise, noise);
  const std::size_t settle = std::min(noise.size() / 2, reference.taps().size());
  double sum_sq = 0.0;
  for (std::size_t i = settle; i < noise.size(); ++i) sum_sq += noise[i] * noise[i];
  return noise.size() > settle ? std::sqrt(sum_sq / static_cast<double>(noise.size() - settle))
                               : 0.0;
}

/// Fills the transmitter figures from the captured noiseless field, with the transmitter's own
/// noise `noise_rms_w` (transmitter_noise_rms) at the reference receiver's output; `noise_note`
/// says where that was measured when not on the analysed window.
void analyse_transmitter(const LinkConfig& config, const std::vector<std::complex<double>>& field,
                         const std::vector<int>& levels, double noise_rms_w,
                         const std::string& noise_note, TxResult& tx) {
  const int sps = config.signal.samples_per_symbol;
  std::vector<double> power(field.size());
  double total = 0.0;
  for (std::size_t i = 0; i < field.size(); ++i) {
    power[i] = std::norm(field[i]);
    total += power[i];
  }
  tx.average_power_w = field.empty() ? 0.0 : total / static_cast<double>(field.size());
  if (config.signal.modulation == Modulation::pam4) {
    try {
      TdecqSettings settings{.symbol_rate_bd = config.signal.symbol_rate_bd,
                             .samples_per_symbol = sps};
      tx.noise_rms_w = noise_rms_w;
      settings.tx_noise_rms_w = tx.noise_rms_w;
      const TdecqResult t = tdecq(power, levels, settings);
      tx.oma_outer_w = t.oma_outer_w;
      tx.extinction_ratio_db = t.extinction_ratio_db;
      tx.rlm = t.rlm;
      tx.tdecq_db = t.tdecq_db;
      tx.tdecq_ser_without_added_noise = t.ser_without_added_noise;
      tx.levels_w = t.levels_w;
      tx.method = fmt::format(
          "noiseless field at the output of '{}' over {} symbols{}{}; levels, OMA(outer), ER, RLM "
          "and TDECQ by phy/analysis/tdecq (reference receiver Rs/2, 5-tap FFE, the Tx's own "
          "noise from the noisy twin through the reference filter{}); "
          "average power is the time average",
          tx.block, tx.symbols, tx.whole_period ? " (one whole pattern period)" : "",
          tx.pre_pass ? fmt::format(", symbols {} to {} of a noiseless pre-pass of the run's own "
                                    "symbols through fresh copies of the blocks up to it "
                                    "(link/ring_lock.hpp; the run's {} symbols hold no whole "
                                    "period after the start-up)",
                                    tx.first_symbol, tx.first_symbol + tx.symbols - 1,
                                    config.signal.symbols)
                      : fmt::format(", symbols {} to {} of the run's own noiseless capture",
                                    tx.first_symbol, tx.first_symbol + tx.symbols - 1),
          noise_note);
      tx.method +=
          t.outer_levels_from_runs
              ? fmt::format(
                    "; P3 and P0 (OMA, ER, TDECQ thresholds) over the central 2 UI of the "
                    "window's runs of at least 7 threes ({}, the longest {}) and 6 zeros ({}, "
                    "the longest {}) (IEEE 802.3 cl. 121.8.4); RLM on the eye-centre levels",
                    t.runs_threes, t.longest_run_threes, t.runs_zeros, t.longest_run_zeros)
              : fmt::format(
                    "; P3 and P0 at the eye centre of symbols between two equal neighbours: the "
                    "window's longest runs, {} threes and {} zeros, are shorter than the 7 and 6 "
                    "of IEEE 802.3 cl. 121.8.4",
                    t.longest_run_threes, t.longest_run_zeros);
      if (std::isinf(t.tdecq_db)) {
        tx.method += fmt::format(
            "; TDECQ unbounded: behind the reference receiver and the 5-tap FFE the eye's SER is "
            "{:.3g} before any noise is added, above the {:.2g} target (tdecq_db null)",
            t.ser_without_added_noise, settings.target_ser);
      }
    } catch (const std::invalid_argument& e) {
      tx.method = fmt::format("average power only: TDECQ analysis not possible ({})", e.what());
    }
  } else {
    tx.method = "average power only (OMA, ER, RLM and TDECQ are computed for PAM4)";
  }
  // Probe: the first probe_uis UIs, power and unwrapped phase.
  const std::size_t n =
      std::min(field.size(), static_cast<std::size_t>(config.analysis.probe_uis) * sps);
  tx.power_w.assign(power.begin(), power.begin() + static_cast<std::ptrdiff_t>(n));
  tx.phase_rad.resize(n);
  double previous = 0.0, offset = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    const double phase = std::arg(field[i]);
    if (i > 0) {
      const double step = phase - previous;
      if (step > std::numbers::pi) offset -= 2.0 * std::numbers::pi;
      if (step < -std::numbers::pi) offset += 2.0 * std::numbers::pi;
    }
    previous = phase;
    tx.phase_rad[i] = phase + offset;
  }
}

/// Every power category at 0 W, so that the breakdowns list all of them (a std::map: by name).
std::map<std::string, double> zero_power_categories() {
  std::map<std::string, double> by_category;
  for (const char* name :
       {"laser", "driver", "modulator", "tia", "dsp", "serdes", "tuning", "overhead"}) {
    by_category[name] = 0.0;
  }
  return by_category;
}

/// Adds the lanes' block powers to their categories and to `total_w`.
void add_power_by_category(const std::vector<LaneResult>& lanes,
                           std::map<std::string, double>& by_category, double& total_w) {
  for (const auto& lane : lanes) {
    for (const auto& p : lane.power) {
      by_category[std::string(power_category_name(p.item.category))] += p.item.power_w;
      total_w += p.item.power_w;
    }
  }
}

}  // namespace

std::vector<std::pair<std::string, double>> block_power_w(const LaneResult& lane) {
  std::vector<std::pair<std::string, double>> blocks;
  for (const auto& p : lane.power) {
    auto same = std::find_if(blocks.begin(), blocks.end(),
                             [&](const auto& entry) { return entry.first == p.block; });
    if (same == blocks.end()) {
      blocks.emplace_back(p.block, p.item.power_w);
    } else {
      same->second += p.item.power_w;
    }
  }
  return blocks;
}

const std::vector<std::string>& monte_carlo_only_not_computed() {
  static const std::vector<std::string> keys = {
      "ber.semi_analytic",
      "ber.ser_semi_analytic",
      "ber.statistical",
      "eye.height",
      "eye.width_ui",
      "eye.statistical",
      "rx.snr_db",
      "rx.noise_rms_per_level",
      "rx.dsp.noise_enhancement_db",
      "tx (OMA, ER, RLM, TDECQ)",
      "optical_rx (received OMA, noise budget, sensitivity)"};
  return keys;
}

LaneResult run_lane(const LinkConfig& config, int lane, bool copper_reports) {
  std::vector<std::unique_ptr<Block>> chain = build_chain(config, lane);
  std::vector<CopperChannelReport> copper;
  if (copper_reports) copper = copper_channel_reports(config, chain);
  if (config.analysis.monte_carlo_only) {
    // No twin: neither the received-OMA tap nor the transmitter and receiver analyses.
    LaneResult result = run_lane_with_chain(config, lane, std::move(chain), all_noise, false);
    result.copper = std::move(copper);
    return result;
  }
  // The received-OMA analysis reads the noiseless photocurrent from this run.
  std::optional<NoiselessTap> tap = received_oma_tap(config, chain);
  // Its re-runs start from copies of the chain as built (before this run moves its blocks on):
  // a copy of a fresh block is a fresh block, so nothing is designed twice. They replay what this
  // run recorded before the photodetector where they run the same blocks (optical_rx.hpp).
  std::vector<std::unique_ptr<Block>> fresh;
  PrefixRecord before_pd;
  if (tap) {
    for (const auto& block : chain) fresh.push_back(block->clone());
    before_pd.blocks = tap->block;
    before_pd.max_chunks =
        static_cast<std::size_t>((tap->symbols + chunk_symbols - 1) / chunk_symbols);
  }
  LaneResult result = run_lane_with_chain(config, lane, std::move(chain), all_noise, true,
                                          tap ? &before_pd : nullptr, tap ? &*tap : nullptr);
  result.copper = std::move(copper);
  // Without a photodetector there is no optical receiver to analyse.
  if (tap) {
    analyse_optical_receiver(config, lane, result, &*tap, std::move(fresh), &before_pd);
  }
  return result;
}

LaneResult run_lane_with_chain(const LinkConfig& config, int lane,
                               std::vector<std::unique_ptr<Block>> chain, unsigned noise_mask,
                               bool analyse_tx, PrefixRecord* prefix, NoiselessTap* tap) {
  const SignalConfig& sig = config.signal;
  const int sps = sig.samples_per_symbol;
  const int m = levels_of(sig.modulation);
  // Without the twin nothing below reads `clean`: the noisy samples stand in where an interface
  // takes both (the header lists what is then not computed).
  const bool twin = !config.analysis.monte_carlo_only;
  if (!twin && (prefix != nullptr || tap != nullptr || analyse_tx)) {
    throw std::logic_error(
        "run_lane_with_chain: a Monte-Carlo-only run has no twin to record, tap or analyse");
  }
  LaneResult result;
  result.lane = lane;
  result.monte_carlo_only = !twin;
  result.wavelength_m = config.lanes.wavelengths_m.at(static_cast<std::size_t>(lane));
  result.optical = optical_transmitter_index(chain).has_value();

  // Receiver DSP blocks (ffe, dfe, mlse) ending the chain run after sampling (receiver_dsp.hpp).
  const std::vector<std::unique_ptr<Block>> dsp_blocks = ReceiverDspStage::take_dsp_blocks(chain);
  result.insertion_loss_db_at_nyquist = copper_insertion_loss_db(chain, 0.5 * sig.symbol_rate_bd);
  // Up to the first block that adds noise in this run, both paths carry the same signal through
  // the same deterministic blocks: there the twin takes a copy of the noisy path's signal instead
  // of computing it again, and needs no copy of those blocks (noise_sources() lists every kind a
  // block adds; a test holds every block of every example to it). A noise-budget run with one
  // kind on shares everything before it.
  std::size_t shared_prefix = 0;
  while (shared_prefix < chain.size() &&
         (chain[shared_prefix]->noise_sources() & noise_mask) == 0u) {
    ++shared_prefix;
  }
  std::vector<std::unique_ptr<Block>> reference;
  double latency_samples = 0.0;
  for (const auto& block : chain) {
    block->set_noise_mask(noise_mask);
    const bool shared = !twin || reference.size() < shared_prefix;
    reference.push_back(shared ? nullptr : block->clone());
    if (!shared) reference.back()->set_noise_enabled(false);
    latency_samples += block->latency_samples();
  }
  const auto latency_symbols = static_cast<std::int64_t>(std::ceil(latency_samples / sps));
  const bool replay = prefix != nullptr && prefix->recorded && prefix->blocks > 0;
  const bool record = prefix != nullptr && !prefix->recorded && prefix->blocks > 0;
  if (prefix != nullptr && prefix->blocks > chain.size()) {
    throw std::logic_error("run_lane_with_chain: prefix longer than the chain");
  }
  if (replay && analyse_tx) {
    throw std::logic_error("run_lane_with_chain: a replayed prefix has no transmitter capture");
  }
  if (tap != nullptr) {
    if (tap->block >= chain.size()) throw std::logic_error("run_lane_with_chain: tap past chain");
    tap->samples.clear();
    tap->levels.clear();
    tap->latency_samples = 0.0;
    for (std::size_t i = 0; i <= tap->block; ++i)
      tap->latency_samples += chain[i]->latency_samples();
  }

  // Run length: signal.symbols, extended up to monte_carlo.symbols until min_errors are counted.
  const auto base_symbols = static_cast<std::int64_t>(sig.symbols);
  const auto max_symbols = std::max<std::int64_t>(
      base_symbols, static_cast<std::int64_t>(config.analysis.monte_carlo.max_symbols));
  progress_expect(static_cast<std::uint64_t>(max_symbols));
  const std::int64_t cal_symbols =
      std::min<std::int64_t>(base_symbols, calibration_symbols + latency_symbols + 64);

  SymbolHistory history(
      static_cast<std::size_t>(cal_symbols + 2 * chunk_symbols + latency_symbols + 1024));
  // Random patterns differ per lane; PRBS patterns start from their standard seed on every lane.
  PatternGenerator pattern(sig.pattern, sig.modulation, sig.seed + 0x9E37ULL * lane);
  Precoder precoder(m);

  // Without the twin the per-sample noise statistics would be those of the noisy record against
  // itself, and nothing reports them: the accumulator skips them.
  const SlicerSettings settings{.levels = m,
                                .samples_per_symbol = sps,
                                .target_ber = config.analysis.target_ber,
                                .precoding = sig.precoding,
                                .noise_statistics = twin};
  std::optional<SlicerAccumulator> accumulator;
  std::optional<ReceiverDspStage> dsp_stage;
  if (!dsp_blocks.empty()) {
    dsp_stage.emplace(ReceiverDspStage::settings_of(dsp_blocks, m), settings, !twin);
  }
  const std::function<int(std::int64_t)> level_of = [&](std::int64_t k) {
    return history.level(k);
  };
  const std::function<int(std::int64_t)> data_of = [&](std::int64_t k) { return history.data(k); };
  std::vector<double> cal_noisy, cal_clean;
  std::vector<int> cal_levels;
  std::int64_t pulse_offset = 0;  ///< the pre-DSP decision instant the pulse is relative to

  // Probes: the first probe_uis UIs of each block's output.
  const std::size_t probe_samples = static_cast<std::size_t>(config.analysis.probe_uis) * sps;
  result.probes.resize(chain.size() + 1);
  result.probes[0] = {"00_source", "voltage", "V", lane_context(config, lane).sample_rate_hz(), {}};
  const std::vector<std::string> units = chain_output_units(chain);
  for (std::size_t i = 0; i < chain.size(); ++i) {
    Probe& probe = result.probes[i + 1];
    probe.label = fmt::format("{:02d}_{}", i + 1, chain[i]->label());
    probe.sample_rate_hz = result.probes[0].sample_rate_hz;
    probe.unit = units[i];
    probe.quantity = units[i] == "W" ? "optical_power" : units[i] == "A" ? "current" : "voltage";
  }
  // The receiver DSP blocks taken off the chain work on the sampled signal in its own unit.
  result.slicer_unit = units.empty() ? "V" : units.back();
  // Transmitter window: one whole pattern period after the chain's start-up transient (any P
  // consecutive symbols of a P-periodic pattern are one period): the run's own capture where the
  // run is long enough, else a noiseless pre-pass of the run's symbols through the transmitter
  // blocks (taken below, once the rings are locked). The run's own window, whole or not, gives the
  // transmitter's noise.
  const std::optional<std::size_t> tx_index =
      analyse_tx ? optical_transmitter_index(chain) : std::optional<std::size_t>{};
  const std::size_t tx_at = tx_index.value_or(chain.size());
  std::int64_t tx_first = 0, tx_count = 0, period = 0, tx_wanted = 0, tx_warm_up = 0;
  bool tx_pre_pass = false;
  // The transmitter's output lags its input by the blocks' bulk delays up to it (a zero-phase
  // electrode filter of the MZM delays by half its length): symbol k's field is captured that
  // many samples later, so the levels and the field stay aligned.
  std::int64_t tx_delay = 0;
  std::vector<std::complex<double>> tx_field, tx_field_noisy;
  std::vector<int> tx_levels;
  if (tx_index) {
    double delay = 0.0;
    for (std::size_t i = 0; i <= *tx_index; ++i) delay += chain[i]->latency_samples();
    tx_delay = std::llround(delay);
    const std::int64_t delay_symbols = (tx_delay + sps - 1) / sps;
    period = static_cast<std::int64_t>(pattern_period_symbols(sig.pattern, sig.modulation));
    tx_wanted = whole_pattern_window_symbols(sig);
    tx_warm_up = latency_symbols + 64;
    tx_count =
        std::min(tx_wanted, base_symbols - delay_symbols - std::min(tx_warm_up, base_symbols / 4));
    tx_first = std::max<std::int64_t>(
        0,
        std::min(tx_warm_up, base_symbols - delay_symbols - std::max<std::int64_t>(tx_count, 0)));
    tx_pre_pass = tx_count < tx_wanted;
  }
  if (tx_index && (tx_count >= 64 || tx_pre_pass)) {
    result.tx.emplace();
    result.tx->block = chain[tx_at]->label();
    result.tx->block_index = tx_at;
    // The pre-pass takes the window a run long enough would take (same first symbol and length).
    result.tx->first_symbol = tx_pre_pass ? tx_warm_up : tx_first;
    result.tx->symbols = tx_pre_pass ? tx_wanted : tx_count;
    result.tx->whole_period = period > 0 && result.tx->symbols == period;
    result.tx->pre_pass = tx_pre_pass;
    result.tx->sample_rate_hz = result.probes[0].sample_rate_hz;
    tx_count = std::max<std::int64_t>(tx_count, 0);
    tx_field.resize(static_cast<std::size_t>(tx_count * sps));
    tx_field_noisy.resize(tx_field.size());
    tx_levels.resize(static_cast<std::size_t>(tx_count));
  } else {
    tx_count = 0;
  }
  auto capture_tx = [&](const Signal& chunk, std::vector<std::complex<double>>& field) {
    const std::int64_t window = tx_first * sps + tx_delay;
    const std::int64_t begin = std::max(chunk.first_sample, window);
    const std::int64_t end = std::min(chunk.first_sample + static_cast<std::int64_t>(chunk.size()),
                                      window + tx_count * sps);
    for (std::int64_t i = begin; i < end; ++i) {
      field[static_cast<std::size_t>(i - window)] =
          chunk.optical[static_cast<std::size_t>(i - chunk.first_sample)];
    }
  };

  auto capture = [&](Probe& probe, const Signal& chunk) {
    if (probe.samples.size() >= probe_samples) return;
    const std::size_t n = std::min(probe_samples - probe.samples.size(), chunk.size());
    if (chunk.domain == Domain::optical) {
      for (std::size_t i = 0; i < n; ++i) probe.samples.push_back(std::norm(chunk.optical[i]));
    } else {
      probe.samples.insert(probe.samples.end(), chunk.electrical.begin(),
                           chunk.electrical.begin() + static_cast<std::ptrdiff_t>(n));
    }
  };

  Signal noisy, clean;
  noisy.sample_rate_hz = clean.sample_rate_hz = result.probes[0].sample_rate_hz;
  noisy.wavelength_m = clean.wavelength_m = result.wavelength_m;
  std::vector<int> symbols(static_cast<std::size_t>(chunk_symbols));
  // The source's level of each symbol: equally spaced over ±swing/2, or shaped for the
  // transmitter (link/level_shaping.hpp), computed on copies of the chain as built.
  std::vector<double> source_level_v(static_cast<std::size_t>(m));
  for (int s = 0; s < m; ++s) {
    source_level_v[static_cast<std::size_t>(s)] = sig.swing_v / 2.0 * symbol_level(s, m);
  }
  std::string shaping_note;
  if (m == 4 && sig.rlm != 1.0) {
    // The COM symbol levels −1, −R_LM/3, +R_LM/3, +1 (signal.rlm).
    source_level_v[1] = -sig.swing_v / 2.0 * sig.rlm / 3.0;
    source_level_v[2] = sig.swing_v / 2.0 * sig.rlm / 3.0;
    shaping_note = fmt::format("; source levels at R_LM {:.4g}: ±{:.4f}, ±{:.4f} V", sig.rlm,
                               sig.swing_v / 2.0 * sig.rlm / 3.0, sig.swing_v / 2.0);
  }
  if (sig.level_shaping && m == 4) {
    const ShapedLevels shaped = shape_pam4_levels(chain, lane_context(config, lane), sig.swing_v);
    std::copy(shaped.drive_v.begin(), shaped.drive_v.end(), source_level_v.begin());
    shaping_note = fmt::format(
        "; source levels shaped for equally spaced settled optical levels (link/level_shaping): "
        "{:.4f}, {:.4f}, {:.4f}, {:.4f} V",
        shaped.drive_v[0], shaped.drive_v[1], shaped.drive_v[2], shaped.drive_v[3]);
  }

  // Rings that lock on their modulated levels take the lock before the run, on one whole period
  // of this run's pattern (link/ring_lock.hpp); the twin's copy takes it from them.
  lock_rings_on_pattern(chain, config, lane, pattern, source_level_v, replay ? prefix->blocks : 0);
  // The transmitter's window on a noiseless pre-pass when the run holds no whole period: the
  // blocks up to the transmitter (copies of the chain as built, rings locked), the run's symbols
  // up to the window's end past the transmitter's bulk delay.
  std::vector<std::complex<double>> tx_pre_field;
  std::vector<int> tx_pre_levels;
  if (result.tx && tx_pre_pass) {
    const std::int64_t delay_symbols = (tx_delay + sps - 1) / sps;
    const NoiselessPrePass pass =
        noiseless_pre_pass(chain, tx_at + 1, config, lane, pattern, source_level_v,
                           tx_warm_up + tx_wanted + delay_symbols + 1);
    if (pass.signal.domain != Domain::optical) {
      throw std::logic_error("transmitter pre-pass: the transmitter's output is not optical");
    }
    const auto begin = pass.signal.optical.begin() + tx_warm_up * sps + tx_delay;
    tx_pre_field.assign(begin, begin + tx_wanted * sps);
    const auto first_level = pass.levels.begin() + tx_warm_up;
    tx_pre_levels.assign(first_level, first_level + tx_wanted);
  }

  auto feed = [&](std::int64_t first_sample, std::span<const double> n_samples,
                  std::span<const double> c_samples) {
    accumulator->add(
        first_sample, n_samples, c_samples, [&](std::int64_t k) { return history.level(k); },
        [&](std::int64_t k) { return history.data(k); });
  };

  const bool check_energy = twin && energy_checks_enabled();
  std::vector<double> energy_in(chain.size()), energy_out(chain.size());
  bool clean_stale = false;  ///< `clean` is due a copy of `noisy` (inside the shared prefix)
  auto sync_clean = [&] {
    if (clean_stale) clean = noisy;
    clean_stale = false;
  };
  std::int64_t sent = 0;
  std::int64_t chunk_index = 0;
  while (true) {
    const std::int64_t count = std::min(chunk_symbols, max_symbols - sent);
    if (count <= 0) break;
    pattern.next(std::span<int>(symbols.data(), static_cast<std::size_t>(count)));
    const auto samples = static_cast<std::size_t>(count * sps);
    noisy.domain = Domain::electrical;
    noisy.has_carrier = false;
    noisy.electrical.resize(samples);
    noisy.optical.clear();
    for (std::int64_t k = 0; k < count; ++k) {
      const int data = symbols[static_cast<std::size_t>(k)];
      const int level = sig.precoding ? precoder.encode(data) : data;
      history.store(sent + k, level, data);
      if (result.tx && sent + k >= tx_first && sent + k < tx_first + tx_count) {
        tx_levels[static_cast<std::size_t>(sent + k - tx_first)] = level;
      }
      const double v = source_level_v[static_cast<std::size_t>(level)];
      std::fill_n(noisy.electrical.begin() + k * sps, sps, v);
    }
    noisy.first_sample = sent * sps;
    noisy.chunk_index = chunk_index;
    if (twin) {
      clean.domain = noisy.domain;
      clean.has_carrier = false;
      clean.electrical = noisy.electrical;
      clean.optical.clear();
      clean.first_sample = noisy.first_sample;
      clean.chunk_index = chunk_index;
    }
    capture(result.probes[0], noisy);

    std::size_t first_block = 0;
    if (replay) {
      const auto c = static_cast<std::size_t>(chunk_index);
      if (c >= prefix->noisy.size()) {
        throw std::logic_error("run_lane_with_chain: the replayed prefix is shorter than the run");
      }
      if (prefix->noisy[c].size() != samples || prefix->clean[c].size() != samples) {
        throw std::logic_error("run_lane_with_chain: the replayed prefix's chunks differ");
      }
      noisy = prefix->noisy[c];
      clean = prefix->clean[c];
      clean_stale = false;
      first_block = prefix->blocks;
    }
    for (std::size_t i = first_block; i < chain.size(); ++i) {
      if (check_energy) sync_clean();
      const bool audit = check_energy && chain[i]->is_passive() &&
                         chain[i]->output_domain(clean.domain) == clean.domain;
      if (audit) energy_in[i] += energy(clean);
      if (!twin) {
        chain[i]->process(noisy);
      } else if (i < shared_prefix) {
        chain[i]->process(noisy);
        clean_stale = true;
      } else {
        sync_clean();
        chain[i]->process_twin(noisy, *reference[i], clean);
      }
      if (result.tx && i == tx_at) sync_clean();
      if (result.tx && i == tx_at && clean.domain == Domain::optical) {
        capture_tx(clean, tx_field);
        capture_tx(noisy, tx_field_noisy);
      }
      check_finite(noisy, *chain[i]);
      if (audit) {
        sync_clean();
        energy_out[i] += energy(clean);
        // 1e-6 relative: FIR truncation ripple is far below; a real gain is far above.
        if (energy_out[i] > energy_in[i] * (1.0 + 1e-6) + 1e-300) {
          throw NumericError(fmt::format(
              "passive block '{}' ({}) gained energy by chunk {}: out {:.6g} > in {:.6g}",
              chain[i]->label(), chain[i]->kind(), chunk_index, energy_out[i], energy_in[i]));
        }
      }
      capture(result.probes[i + 1], noisy);
      if (record && i + 1 == prefix->blocks && prefix->noisy.size() < prefix->max_chunks) {
        sync_clean();
        prefix->noisy.push_back(noisy);
        prefix->clean.push_back(clean);
      }
      if (tap != nullptr && i == tap->block && sent < tap->symbols) {
        sync_clean();
        if (clean.domain != Domain::electrical) {
          throw std::logic_error(
              "run_lane_with_chain: the tapped block's output is not electrical");
        }
        const std::int64_t n = std::min(count, tap->symbols - sent);
        tap->samples.insert(tap->samples.end(), clean.electrical.begin(),
                            clean.electrical.begin() + static_cast<std::ptrdiff_t>(n * sps));
        for (std::int64_t k = 0; k < n; ++k) tap->levels.push_back(history.level(sent + k));
      }
    }
    if (twin) sync_clean();
    if (noisy.domain != Domain::electrical || noisy.electrical.size() != samples) {
      throw NumericError("the chain changed the chunk length or ended in the optical domain");
    }

    // The record the analyses read as noiseless: the twin's, or the noisy one without it.
    const std::vector<double>& reference_samples = twin ? clean.electrical : noisy.electrical;
    if (!accumulator) {
      cal_noisy.insert(cal_noisy.end(), noisy.electrical.begin(), noisy.electrical.end());
      if (twin) {
        cal_clean.insert(cal_clean.end(), clean.electrical.begin(), clean.electrical.end());
      }
      for (std::int64_t k = 0; k < count; ++k) cal_levels.push_back(history.level(sent + k));
      const bool last = sent + count >= max_symbols;
      if (static_cast<std::int64_t>(cal_levels.size()) >= cal_symbols || last) {
        const auto max_offset = static_cast<std::int64_t>(latency_samples) + 64 * sps;
        const SlicerTiming timing =
            twin ? calibrate_slicer(cal_clean, cal_noisy, cal_levels, settings, max_offset)
                 : calibrate_slicer_on_noisy(cal_noisy, cal_levels, settings, max_offset);
        accumulator.emplace(settings, timing);
        const std::vector<double>& cal_reference = twin ? cal_clean : cal_noisy;
        if (twin && config.analysis.statistical_eye) {
          // A function of the noiseless record (and the offset) alone: the lanes that share the
          // record and the offset share the fit (phy/analysis/record_memo.hpp).
          static RecordMemo<SampledPulse, 4> fits;
          result.pulse = fits.get(RecordKey("fit_sampled_pulse")
                                      .add(std::span<const double>(cal_clean))
                                      .add(std::span<const int>(cal_levels))
                                      .add(m)
                                      .add(sps)
                                      .add(timing.offset_samples)
                                      .add(pulse_pre_cursors)
                                      .add(pulse_post_cursors),
                                  [&] {
                                    return fit_sampled_pulse(cal_clean, cal_levels, m, sps,
                                                             timing.offset_samples,
                                                             pulse_pre_cursors, pulse_post_cursors);
                                  });
          pulse_offset = timing.offset_samples;
        }
        feed(0, cal_noisy, cal_reference);
        if (dsp_stage) {
          dsp_stage->calibrate(cal_reference, cal_noisy, cal_levels, timing, level_of, data_of);
        }
        std::vector<double>().swap(cal_noisy);
        std::vector<double>().swap(cal_clean);
        std::vector<int>().swap(cal_levels);
      }
    } else {
      feed(noisy.first_sample, noisy.electrical, reference_samples);
      if (dsp_stage) {
        dsp_stage->feed(noisy.first_sample, noisy.electrical, reference_samples, level_of, data_of);
      }
    }
    sent += count;
    ++chunk_index;
    progress_advance(static_cast<std::uint64_t>(count));
    if (sent >= base_symbols && accumulator) {
      const std::uint64_t errors = dsp_stage ? dsp_stage->bit_errors() : accumulator->bit_errors();
      const bool enough_errors = errors >= config.analysis.monte_carlo.min_errors;
      if (!config.analysis.monte_carlo.enabled || enough_errors || sent >= max_symbols) break;
    }
  }
  // Power at the operating point, collected after the run: some blocks (the EML's absorbed
  // power, say) only know their operating point once a chunk has passed.
  // Locations by chain position (the analyses' modified chains may differ in length: module).
  const bool located = chain.size() + dsp_blocks.size() == config.chain.size();
  std::size_t position = 0;
  auto location = [&]() {
    const std::string where = located ? config.chain[position].location : "module";
    ++position;
    return where;
  };
  // The chain as the run used it: a block's description after the run (a ring's lock, say, is
  // taken before the first symbol; the description written before it showed the ring unlocked).
  for (const auto& block : chain) result.chain_description.push_back(block->describe());
  for (const auto& block : dsp_blocks) result.chain_description.push_back(block->describe());
  for (const auto& block : chain) {
    const std::string where = location();
    for (const auto& item : block->power()) result.power.push_back({block->label(), item, where});
  }
  for (const auto& block : dsp_blocks) {
    const std::string where = location();
    for (const auto& item : block->power()) result.power.push_back({block->label(), item, where});
  }
  if (record) prefix->recorded = true;
  progress_advance(static_cast<std::uint64_t>(max_symbols - sent));  // stopped at min_errors
  if (result.tx) {
    // The transmitter's noise on the run's own window (the pre-pass is noiseless).
    const double noise_rms =
        tx_count >= 64 ? transmitter_noise_rms(config, tx_field, tx_field_noisy) : 0.0;
    std::string noise_note;
    if (tx_pre_pass) {
      noise_note = tx_count >= 64 ? fmt::format(", on the run's own symbols {} to {}", tx_first,
                                                tx_first + tx_count - 1)
                                  : std::string(
                                        ", not measured: the run's own window holds "
                                        "fewer than 64 symbols (0 taken)");
    }
    analyse_transmitter(config, tx_pre_pass ? tx_pre_field : tx_field,
                        tx_pre_pass ? tx_pre_levels : tx_levels, noise_rms, noise_note, *result.tx);
    result.tx->method += shaping_note;
  }
  result.slicer = accumulator->result();
  if (dsp_stage) {
    result.slicer = dsp_stage->result(result.slicer);
    result.dsp = dsp_stage->report();
  }
  if (result.pulse) {
    StatisticalEyeSettings eye_settings{.levels = m, .target_ber = config.analysis.target_ber};
    eye_settings.contours = config.analysis.statistical_eye_contours;
    const SampledPulse& pulse = *result.pulse;
    if (!dsp_stage) {
      eye_settings.unmodelled_isi = pulse.residual_at_decisions();
      result.statistical = statistical_eye(
          [&](double tau) {
            return pulse.cursors_at(tau, pulse.pre_cursors(), pulse.post_cursors());
          },
          result.slicer.noise_rms_per_level, result.slicer.thresholds, eye_settings);
    } else if (!dsp_stage->dsp().settings().mlse) {
      result.statistical =
          dsp_stage->statistical_eye(pulse, pulse_offset, result.slicer, eye_settings);
      // The symbol-rate accumulator has no phase axis: the statistical eye gives the width.
      result.slicer.eye_width_ui = result.statistical->eye_width_ui;
    } else {
      result.statistical_note = "no statistical eye for MLSE (Viterbi decisions, not a slicer)";
    }
    if (result.statistical && sig.precoding) {
      // As the semi-analytic BER: an isolated slicer error corrupts two decoded symbols.
      result.statistical->ber *= 2.0;
      result.statistical->ser *= 2.0;
    }
    std::vector<double>().swap(result.pulse->residual);  // read by the statistical eye only
    std::vector<int>().swap(result.pulse->levels);
  }
  if (!twin) {
    // What needs the noise alone or the noiseless ISI was not computed (the accumulator saw the
    // noisy record as its own reference): NaN, never a figure of the wrong record.
    constexpr double nan = std::numeric_limits<double>::quiet_NaN();
    SlicerResult& s = result.slicer;
    s.ber_semi_analytic = s.ser_semi_analytic = s.snr_db = nan;
    std::fill(s.noise_rms_per_level.begin(), s.noise_rms_per_level.end(), nan);
    std::fill(s.eye_height.begin(), s.eye_height.end(), nan);
    std::fill(s.eye_width_ui.begin(), s.eye_width_ui.end(), nan);
    result.statistical_note = "not computed: Monte-Carlo-only run (no noiseless twin)";
  }
  result.post_fec_ber = post_fec_ber(config.analysis.fec, lane_ber(config, result));
  return result;
}

std::vector<double> noiseless_level_means(const LinkConfig& config, const NoiselessTap& tap) {
  const SignalConfig& sig = config.signal;
  const int sps = sig.samples_per_symbol;
  const auto symbols = std::min(static_cast<std::int64_t>(sig.symbols),
                                static_cast<std::int64_t>(tap.levels.size()));
  if (symbols <= 0 || tap.samples.size() < static_cast<std::size_t>(symbols * sps)) {
    throw std::logic_error("noiseless_level_means: the tap holds fewer symbols than the run");
  }
  const SlicerSettings settings{.levels = levels_of(sig.modulation),
                                .samples_per_symbol = sps,
                                .target_ber = config.analysis.target_ber,
                                .precoding = sig.precoding};
  // As run_lane_with_chain: whole chunks are gathered until the calibration record is long enough.
  const auto latency_symbols = static_cast<std::int64_t>(std::ceil(tap.latency_samples / sps));
  const std::int64_t cal_symbols =
      std::min<std::int64_t>(symbols, calibration_symbols + latency_symbols + 64);
  const std::int64_t record =
      std::min(symbols, (cal_symbols + chunk_symbols - 1) / chunk_symbols * chunk_symbols);
  const std::span<const double> all(tap.samples.data(), static_cast<std::size_t>(symbols * sps));
  const std::span<const double> cal = all.first(static_cast<std::size_t>(record * sps));
  const std::span<const int> cal_levels(tap.levels.data(), static_cast<std::size_t>(record));
  const auto max_offset = static_cast<std::int64_t>(tap.latency_samples) + 64 * sps;
  SlicerAccumulator accumulator(settings,
                                calibrate_slicer(cal, cal, cal_levels, settings, max_offset));
  // Only the level statistics are read: the data symbol stands in for itself.
  auto level_of = [&](std::int64_t k) { return tap.levels[static_cast<std::size_t>(k)]; };
  accumulator.add(0, cal, cal, level_of, level_of);
  const auto rest = all.subspan(cal.size());
  accumulator.add(record * sps, rest, rest, level_of, level_of);
  return accumulator.result().level_means;
}

double post_fec_ber(const std::string& fec, double ber) {
  if (fec == "kp4") return rs_post_fec_ber(ber);
  if (fec == "kp4_inner") return concatenated_post_fec_ber(ber);
  return ber;
}

double lane_ber(const LinkConfig& config, const LaneResult& lane) {
  if (lane.monte_carlo_only) return lane.slicer.ber_monte_carlo;
  return config.analysis.monte_carlo.enabled && lane.slicer.bit_errors > 0
             ? lane.slicer.ber_monte_carlo
             : lane.slicer.ber_semi_analytic;
}

LinkResult run_link(const LinkConfig& config, int threads) {
  const auto start = std::chrono::steady_clock::now();
  LinkResult link;
  link.name = config.name;
  link.seed = config.signal.seed;
  const int lanes = config.lanes.count;
  const std::vector<LinkConfig> segment_configs = split_segments(config);
  const auto segments = static_cast<int>(segment_configs.size());
  link.segments.resize(segment_configs.size());
  for (int s = 0; s < segments; ++s) {
    link.segments[static_cast<std::size_t>(s)].name =
        segment_configs[static_cast<std::size_t>(s)].name;
    link.segments[static_cast<std::size_t>(s)].lanes.resize(static_cast<std::size_t>(lanes));
  }
  // One task per (segment, lane): segments are independent once the retimer regenerates symbols.
  // A lane's copper channel reports (COM) are tasks of their own, from the lane's copper networks
  // unprepared (build_copper_networks): lane 0's first, then the lanes, then the other lanes'
  // reports. The lanes of a port share one report (its memo, channel_report.cpp), so on two or
  // more threads one thread computes COM while the others run lanes, instead of every lane
  // waiting for it before its run; the other lanes' report tasks then take the kept report. The
  // values are the ones each lane would compute (a test holds the unprepared networks and their
  // keys to the prepared chain's), whatever thread computed them.
  const int team = threads > 0 ? threads : omp_get_max_threads();
  const int per_segment = 2 * lanes;
  const int tasks = segments * per_segment;
  std::vector<std::vector<std::vector<CopperChannelReport>>> copper(
      static_cast<std::size_t>(segments),
      std::vector<std::vector<CopperChannelReport>>(static_cast<std::size_t>(lanes)));
  std::vector<std::exception_ptr> errors(static_cast<std::size_t>(tasks));
  // Order within a segment: report 0, lanes 0 .. n−1, reports 1 .. n−1.
  const auto is_report = [&](int task) {
    const int k = task % per_segment;
    return k == 0 || k > lanes;
  };
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (int task = 0; task < tasks; ++task) {
    const int s = task / per_segment;
    const int k = task % per_segment;
    const bool report = is_report(task);
    const int lane = k == 0 ? 0 : (report ? k - lanes : k - 1);
    const LinkConfig& segment = segment_configs[static_cast<std::size_t>(s)];
    try {
      if (report) {
        copper[static_cast<std::size_t>(s)][static_cast<std::size_t>(lane)] =
            copper_channel_reports(segment, build_copper_networks(segment, lane));
      } else {
        link.segments[static_cast<std::size_t>(s)].lanes[static_cast<std::size_t>(lane)] =
            run_lane(segment, lane, false);
      }
    } catch (...) {
      errors[static_cast<std::size_t>(task)] = std::current_exception();
    }
  }
  // A lane's own error first (as when its report followed its chain build), then a report's.
  for (int pass = 0; pass < 2; ++pass) {
    for (int task = 0; task < tasks; ++task) {
      const auto& error = errors[static_cast<std::size_t>(task)];
      if (error && is_report(task) == (pass == 1)) std::rethrow_exception(error);
    }
  }
  for (int s = 0; s < segments; ++s) {
    for (int lane = 0; lane < lanes; ++lane) {
      link.segments[static_cast<std::size_t>(s)].lanes[static_cast<std::size_t>(lane)].copper =
          std::move(copper[static_cast<std::size_t>(s)][static_cast<std::size_t>(lane)]);
    }
  }
  // The link's lanes: the last segment's (the receiver the user sees); BER summed over segments.
  link.lanes = link.segments.back().lanes;
  link.lane_ber.assign(static_cast<std::size_t>(lanes), 0.0);
  for (auto& segment : link.segments) {
    for (int lane = 0; lane < lanes; ++lane) {
      const double ber = lane_ber(config, segment.lanes[static_cast<std::size_t>(lane)]);
      segment.worst_ber = std::max(segment.worst_ber, ber);
      link.lane_ber[static_cast<std::size_t>(lane)] += ber;
      for (const auto& p : segment.lanes[static_cast<std::size_t>(lane)].power) {
        segment.power_w += p.item.power_w;
      }
    }
  }
  link.lane_post_fec_ber.clear();
  for (double ber : link.lane_ber) {
    link.lane_post_fec_ber.push_back(post_fec_ber(config.analysis.fec, ber));
  }
  for (double ber : link.lane_ber) link.worst_ber = std::max(link.worst_ber, ber);
  // The link's figures are summed in one pass over segments, lanes and items (as before the
  // segments had their own), so the totals keep their last bits.
  std::map<std::string, double> by_category = zero_power_categories();
  for (auto& segment : link.segments) {
    add_power_by_category(segment.lanes, by_category, link.power_total_w);
    std::map<std::string, double> own = zero_power_categories();
    double own_total = 0.0;
    add_power_by_category(segment.lanes, own, own_total);
    for (const auto& [name, watts] : own) segment.power_breakdown_w.emplace_back(name, watts);
  }
  for (const auto& [name, watts] : by_category) link.power_breakdown_w.emplace_back(name, watts);
  link.power_per_lane_w = link.power_total_w / lanes;
  const double bit_rate =
      config.signal.symbol_rate_bd * bits_per_symbol(config.signal.modulation) * lanes;
  link.pj_per_bit = link.power_total_w / bit_rate * 1e12;
  link.closes = link.worst_ber <= config.analysis.target_ber;
  link.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return link;
}

}  // namespace optilane
