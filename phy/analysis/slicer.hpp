// The receiver's slicer analysis: timing and thresholds, Monte-Carlo BER, semi-analytic BER, eye.
//
// The lane runs twice in lockstep: the chain with its noise (what Monte-Carlo counts) and a copy
// with every noise source off (the exact ISI). At the slicer, sample n belongs to symbol
// k = floor((n − offset + sps/2)/sps) at phase p = n − offset − k·sps ∈ [−sps/2, sps/2).
//
// Semi-analytic BER (exact ISI, Gaussian noise with level-dependent variance): with x_k the
// noiseless slicer sample of symbol k, σ_l the RMS of (noisy − noiseless) over symbols sent at
// level l, and thresholds t_1 < … < t_{M−1} (t_0 = −∞, t_M = +∞),
//   P(decide j | k) = Φ((t_{j+1} − x_k)/σ_l) − Φ((t_j − x_k)/σ_l),
//   BER = Σ_k Σ_j P(j | k) · bit_errors(l_k, j) / (N · log2 M).
// The sum over k is kept as a histogram of x_k per level (fine bins, 3× the eye's span / 4096), so
// memory does not grow with N; each bin keeps the count, mean x̄_b and variance v_b of its samples,
// and is evaluated as Φ((t − x̄_b)/√(σ_l² + v_b)), exact in the samples' first two moments (the bin
// centre used before moved the discrete ISI of a 1+αD channel by up to half a bin, σ/14 at
// 38 dB SNR: +9.5 % in BER at 1e-6). σ_l is measured, not assumed, so signal-dependent noise (shot,
// RIN) is carried through every filter and equaliser of the chain. With 1/(1+D) precoding an
// isolated slicer error corrupts two decoded symbols, so the semi-analytic BER doubles (a
// documented approximation; Monte-Carlo decodes exactly). Behind a DFE (settings.dfe_feedback) the
// ISI histogram is the one of ideal feedback and the semi-analytic BER is the stationary BER of
// the decision-error Markov chain (dfe_propagation.hpp), so error propagation is in it.
//
// Eye height of eye j at the target BER (a statistical-eye figure): the smallest noiseless sample
// of level j+1 minus Q⁻¹(BER)·σ_{j+1}, less the largest of level j plus Q⁻¹(BER)·σ_j; eye width:
// the span of phases where that height is positive, in UI, interpolated between samples.
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace optilane {

struct SlicerSettings {
  int levels = 4;  ///< M
  int samples_per_symbol = 16;
  double target_ber = 2.4e-4;  ///< eye height/width are quoted at this BER
  bool precoding = false;
  int eye_amplitude_bins = 256;
  /// Time columns per UI of the eye histogram: the received waveform is drawn as a trace, linear
  /// between its samples, at ⌈eye_columns_per_ui / sps⌉ points per sample interval (a scope's
  /// persistence display; at 16 samples per symbol, 64 columns per UI instead of 16). A
  /// symbol-rate record (sps 1: a receiver DSP's output) has no waveform between its samples and
  /// keeps one column per sample.
  int eye_columns_per_ui = 64;
  int isi_bins = 4096;
  /// DFE feedback steps c_i = b_i·g·2/(M−1) of a receiver DSP's decisions (empty: no DFE). When
  /// set, the semi-analytic BER is the error-propagation chain of dfe_propagation.hpp over the
  /// ISI histogram (with precoding decoded exactly there, not doubled).
  std::vector<double> dfe_feedback{};
  /// Per-sample noise statistics (noiseless min/max, noise sum of squares and count per phase
  /// and level: σ per level, SNR, eye height and width). Off in a Monte-Carlo-only run, where
  /// the "noiseless" record is the noisy one and those figures are not reported: add() then
  /// keeps the eye histogram, the ISI histogram (level means) and the decisions only.
  bool noise_statistics = true;
};

/// Sampling instant and decision thresholds.
struct SlicerTiming {
  std::int64_t offset_samples = 0;  ///< sample of symbol 0's decision instant
  std::vector<double> thresholds;   ///< M−1, increasing
  std::vector<double> level_means;  ///< M, noiseless mean at the decision instant
  /// Range of the eye histogram: the noisy record from symbol 1's UI on, with a 15 % margin; the
  /// chain's start-up before it (filters settling from rest, an AC-coupled TIA's −DC step) left
  /// out.
  double amplitude_min = -1.0;
  double amplitude_max = 1.0;
  /// Range of the whole calibration record, start-up included, with the same margin: the base of
  /// the ISI histogram's span (three times it). NaN: the eye histogram's range.
  double record_min = std::numeric_limits<double>::quiet_NaN();
  double record_max = std::numeric_limits<double>::quiet_NaN();
};

/// Finds the sampling instant and thresholds from a calibration record: the noiseless and noisy
/// received samples (starting at sample 0) and the transmitted level index of each symbol. The
/// coarse delay maximises the correlation with the transmitted levels over offsets in
/// [0, max_offset_samples]; the phase within ±½ UI of it then minimises the semi-analytic BER
/// with thresholds optimised at each phase.
[[nodiscard]] SlicerTiming calibrate_slicer(std::span<const double> noiseless,
                                            std::span<const double> noisy,
                                            std::span<const int> sent_levels,
                                            const SlicerSettings& settings,
                                            std::int64_t max_offset_samples);

/// Semi-analytic BER of one set of noiseless samples per level with Gaussian noise σ per level.
/// Used by calibration, by the accumulator and by tests.
[[nodiscard]] double gaussian_ber(std::span<const double> noiseless, std::span<const int> levels,
                                  std::span<const double> sigma_per_level,
                                  std::span<const double> thresholds, int level_count);

struct EyeHistogram {
  int time_bins = 0;  ///< 2 UI, `columns_per_sample` bins per sample interval
  int columns_per_sample = 1;
  int amplitude_bins = 0;
  std::vector<double> time_ui;        ///< bin centres, −1 … 1 UI about the decision instant
  std::vector<double> amplitude;      ///< bin centres
  std::vector<std::uint64_t> counts;  ///< [time][amplitude], row-major
};

struct SlicerResult {
  // Monte-Carlo
  std::uint64_t symbols = 0;
  std::uint64_t symbol_errors = 0;
  std::uint64_t bits = 0;
  std::uint64_t bit_errors = 0;
  double ber_monte_carlo = 0.0;
  double ber_ci95_low = 0.0;
  double ber_ci95_high = 1.0;
  double ser_monte_carlo = 0.0;
  // Semi-analytic
  double ber_semi_analytic = 0.0;
  double ser_semi_analytic = 0.0;
  // Levels, noise and eye
  std::vector<double> level_means;
  std::vector<double> noise_rms_per_level;  ///< at the decision instant
  std::vector<double> thresholds;
  double snr_db = 0.0;               ///< variance of the level means over the mean noise variance
  std::vector<double> eye_height;    ///< per eye, at the target BER, in signal units
  std::vector<double> eye_width_ui;  ///< per eye, at the target BER
  EyeHistogram eye;
};

/// Accumulates the slicer statistics over a streamed run.
class SlicerAccumulator {
 public:
  SlicerAccumulator(const SlicerSettings& settings, const SlicerTiming& timing);

  /// One chunk of received samples starting at `first_sample`. `sent_level(k)` and
  /// `sent_symbol(k)` give symbol k's transmitted level (after precoding) and data symbol
  /// (before precoding); symbols with k < 0 are skipped.
  template <typename LevelOf, typename SymbolOf>
  void add(std::int64_t first_sample, std::span<const double> noisy,
           std::span<const double> noiseless, LevelOf sent_level, SymbolOf sent_symbol);

  /// Symbol-rate input from a receiver DSP (settings.samples_per_symbol must be 1): the noisy
  /// and noiseless equaliser outputs (ideal DFE feedback) of symbol k at `level` feed the noise,
  /// ISI and eye statistics only; the DSP's decisions are counted by count_decision().
  void add_statistics(double noisy, double noiseless, int level);
  /// Counts one decision for Monte-Carlo, in symbol order (precoding decodes across calls).
  void count_decision(int decided, int level, int symbol);

  [[nodiscard]] std::uint64_t bit_errors() const { return bit_errors_; }
  [[nodiscard]] std::uint64_t symbols() const { return symbols_; }
  [[nodiscard]] SlicerResult result() const;

 private:
  void decide(double noisy, int level, int symbol);

  SlicerSettings settings_;
  SlicerTiming timing_;
  int half_ = 0;  ///< sps/2
  // Monte-Carlo
  std::uint64_t symbols_ = 0, symbol_errors_ = 0, bit_errors_ = 0;
  int previous_decision_ = 0;
  // Per phase (sps) and level (M): noiseless min/max, noise sum of squares, count.
  std::vector<double> min_, max_, noise_sq_;
  std::vector<std::uint64_t> count_;
  /// One noiseless decision-instant sample into the ISI histogram of its level.
  void add_isi(int level, double clean) {
    int b = static_cast<int>((clean - isi_min_) * inverse_isi_bin_);
    b = b < 0 ? 0 : (b >= settings_.isi_bins ? settings_.isi_bins - 1 : b);
    const auto cell = static_cast<std::size_t>(level * settings_.isi_bins + b);
    const double offset = clean - (isi_min_ + (b + 0.5) * isi_bin_);  // from the bin centre
    ++isi_hist_[cell];
    isi_sum_[cell] += offset;
    isi_sum_sq_[cell] += offset * offset;
  }

  // Semi-analytic: histogram of noiseless samples at the decision instant per level, with each
  // bin's sum and sum of squares (about its centre) so its samples' mean and spread are exact.
  std::vector<std::uint64_t> isi_hist_;
  std::vector<double> isi_sum_, isi_sum_sq_;
  double isi_min_ = 0.0, isi_bin_ = 1.0, inverse_isi_bin_ = 1.0;
  // Eye
  EyeHistogram eye_;  ///< the 2-UI eye of add_statistics (its one copy per symbol-rate sample)
  /// add()'s eye over one UI, [column (p + sps/2)·c + j][amplitude] (c = columns per sample,
  /// j = 0 … c − 1: the trace from phase p towards the next sample): each trace point counted
  /// once here, and placed at its time and one UI away in the 2-UI window by result() (the same
  /// counts as two increments per point into the window, for half the stores).
  std::vector<std::uint64_t> ui_counts_;
  double eye_bin_ = 1.0;
  int columns_ = 1;  ///< trace points per sample interval
  // The last sample add() saw: its index, amplitude and 1-UI column (the trace continues from it;
  // none before the first sample).
  std::int64_t trace_index_ = std::numeric_limits<std::int64_t>::min();
  double trace_position_ = 0.0;  ///< in eye bins from amplitude_min
  int trace_column_ = 0;
};

template <typename LevelOf, typename SymbolOf>
void SlicerAccumulator::add(std::int64_t first_sample, std::span<const double> noisy,
                            std::span<const double> noiseless, LevelOf sent_level,
                            SymbolOf sent_symbol) {
  const int sps = settings_.samples_per_symbol;
  const int m = settings_.levels;
  const std::int64_t rel0 = first_sample - timing_.offset_samples + half_;
  std::size_t i = rel0 < 0 ? static_cast<std::size_t>(-rel0) : 0;
  if (i >= noisy.size()) return;
  // Symbol k and phase p of the first sample; both advance incrementally (no division per sample).
  const std::int64_t rel = rel0 + static_cast<std::int64_t>(i);
  std::int64_t k = rel / sps;
  int p = static_cast<int>(rel - k * sps) - half_;  // −sps/2 … sps/2−1
  int level = sent_level(k);
  const double inverse_eye_bin = 1.0 / eye_bin_;
  const int bins = eye_.amplitude_bins;
  // A sample's amplitude in bin units, and its bin (the edge bins take what lies beyond).
  auto eye_bin = [bins](double position) {
    const int a = static_cast<int>(position);
    return a < 0 ? 0 : (a >= bins ? bins - 1 : a);
  };
  // The trace continues from the last sample of the previous call when it was the one just
  // before this call's first; within the call every sample follows the one before.
  bool continues = columns_ > 1 && trace_index_ != std::numeric_limits<std::int64_t>::min() &&
                   first_sample + static_cast<std::int64_t>(i) == trace_index_ + 1;
  const double inverse_columns = 1.0 / columns_;
  for (; i < noisy.size(); ++i) {
    const double clean = noiseless[i];
    if (settings_.noise_statistics) {
      const std::size_t cell = static_cast<std::size_t>((p + half_) * m + level);
      const double noise = noisy[i] - clean;
      if (clean < min_[cell]) min_[cell] = clean;
      if (clean > max_[cell]) max_[cell] = clean;
      noise_sq_[cell] += noise * noise;
      ++count_[cell];
    }
    // Eye histogram over one UI; result() places each column twice in the 2-UI window. The
    // trace from the previous sample (when it was the one just before) to this one: its points
    // at 1/c … (c − 1)/c of the interval, in the previous sample's columns.
    const int column = (p + half_) * columns_;
    const double position = (noisy[i] - timing_.amplitude_min) * inverse_eye_bin;
    if (continues) {
      const double step = (position - trace_position_) * inverse_columns;
      std::uint64_t* row = ui_counts_.data() + static_cast<std::size_t>(trace_column_ + 1) * bins;
      for (int j = 1; j < columns_; ++j, row += bins) ++row[eye_bin(trace_position_ + step * j)];
    }
    ++ui_counts_[static_cast<std::size_t>(column * bins + eye_bin(position))];
    trace_position_ = position;
    trace_column_ = column;
    continues = columns_ > 1;
    if (p == 0) {
      add_isi(level, clean);
      decide(noisy[i], level, sent_symbol(k));
    }
    if (++p == sps - half_) {
      p = -half_;
      ++k;
      if (i + 1 < noisy.size()) level = sent_level(k);
    }
  }
  trace_index_ = first_sample + static_cast<std::int64_t>(noisy.size()) - 1;
}

}  // namespace optilane
