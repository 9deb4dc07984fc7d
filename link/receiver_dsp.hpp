// The receiver DSP stage of a lane: the `ffe`/`dfe`/`mlse` blocks that end a chain, run as one
// symbol-rate RxDsp pipeline after sampling (phy/analysis/rx_dsp.hpp).
//
// The runner streams the sample-level noisy output and its noiseless twin as before; this stage
// picks the symbols' samples at its sampling phase (one per symbol, or two ½ UI apart for a T/2
// FFE), runs both twins through the same frozen taps, and feeds a symbol-rate SlicerAccumulator:
// noisy − noiseless after the equaliser is the noise at the slicer (semi-analytic BER with the
// noise enhancement and colouring), the noiseless output the exact residual ISI. DFE: the twins
// use correct feedback, and the semi-analytic BER (and the statistical eye's BER figure) add the
// error propagation as a Markov chain over the recent decision errors (dfe_propagation.hpp); the
// Monte-Carlo count uses the DSP's own decisions, so error propagation is real there too. MLSE:
// Monte-Carlo counts the Viterbi decisions; the semi-analytic figure is RxDsp::mlse_ber_estimate (a
// union bound).
//
// Calibration: on the runner's calibration record, for sampling phases across one UI about the
// pre-DSP slicer's instant (steps of UI/16), the pipeline is trained (MMSE or LMS) and the phase
// with the lowest MSE kept (an "optimum phase" CDR); the symbol-rate slicer's thresholds are then
// optimised on the equalised calibration record.
//
// Monte-Carlo only (analysis.monte_carlo_only, no noiseless twin): the stage is given the noisy
// record as both twins. The phase search's Wiener training then takes R = E[z zᵀ] of the noisy
// regressors (signal, ISI and noise together, the matrix a receiver estimates), p = E[z d] with
// the sent symbols as the training sequence; LMS adapts on the noisy record as always; the
// symbol-rate thresholds come from the noisy level statistics (calibrate_slicer_on_noisy). The
// report's noise enhancement is NaN (it needs the noise alone), and statistical_eye() and the
// semi-analytic figures of result() are not to be used.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "phy/analysis/rx_dsp.hpp"
#include "phy/analysis/slicer.hpp"
#include "phy/analysis/statistical_eye.hpp"
#include "phy/block.hpp"

namespace optilane {

/// Timing and thresholds from the noisy record alone, as a receiver without a noiseless reference
/// sets them: the coarse delay and the eye histogram's range as calibrate_slicer finds them on
/// the noisy record; then, over ±1 UI about that instant, the phase with the largest worst-eye
/// Q factor of the noisy level statistics, Q_j = (μ_{j+1} − μ_j)/(σ_j + σ_{j+1}) (μ_l, σ_l: mean
/// and RMS spread of the noisy samples of symbols sent at level l, ISI and noise together; ties:
/// the most central phase); each threshold is the minimum-error point between two equiprobable
/// Gaussians N(μ_j, σ_j²) and N(μ_{j+1}, σ_{j+1}²), where their densities are equal (the midpoint
/// for equal σ). level_means are the noisy means. Exact for Gaussian levels; with ISI the levels
/// are not Gaussian and the thresholds are those of the Gaussian fit (documented).
[[nodiscard]] SlicerTiming calibrate_slicer_on_noisy(std::span<const double> noisy,
                                                     std::span<const int> sent_levels,
                                                     const SlicerSettings& settings,
                                                     std::int64_t max_offset_samples);

/// The minimum-error threshold between equiprobable N(mu_low, sigma_low²) and
/// N(mu_high, sigma_high²), mu_low < mu_high: the root of equal densities inside [mu_low,
/// mu_high]; the midpoint for equal σ (or both zero).
[[nodiscard]] double gaussian_threshold(double mu_low, double sigma_low, double mu_high,
                                        double sigma_high);

struct ReceiverDspReport {
  std::string description;
  double phase_ui = 0.0;  ///< sampling phase relative to the pre-DSP slicer's instant
  RxDspTraining training;
  std::vector<double> ffe_taps;
  double ffe_dc = 0.0;  ///< the FFE's bias tap w_dc (output units)
  std::vector<double> dfe_taps;
  std::string phase_method;   ///< "optimum phase" or the CDR's phase detector
  double cdr_phase_ui = 0.0;  ///< the CDR's lock phase before rounding to a sample
  double cdr_jitter_rms_ui = 0.0;
};

class ReceiverDspStage {
 public:
  /// Removes the DSP blocks that end `chain` (in order) and returns them; empty if none. A DSP
  /// block anywhere else in the chain is refused (it would silently do nothing there).
  static std::vector<std::unique_ptr<Block>> take_dsp_blocks(
      std::vector<std::unique_ptr<Block>>& chain);
  /// The pipeline settings of those blocks.
  static RxDspSettings settings_of(const std::vector<std::unique_ptr<Block>>& blocks, int levels);

  /// `monte_carlo_only`: no noiseless twin; calibrate() and feed() get the noisy record as both
  /// (see the header).
  ReceiverDspStage(const RxDspSettings& dsp, const SlicerSettings& slicer,
                   bool monte_carlo_only = false);

  /// Chooses the phase, trains, calibrates the slicer and feeds the calibration record (samples
  /// from 0). `pre` is the pre-DSP slicer's timing on the same record.
  void calibrate(std::span<const double> clean, std::span<const double> noisy,
                 std::span<const int> levels, const SlicerTiming& pre,
                 const std::function<int(std::int64_t)>& level_of,
                 const std::function<int(std::int64_t)>& data_of);
  /// One chunk of received samples starting at `first_sample`.
  void feed(std::int64_t first_sample, std::span<const double> noisy, std::span<const double> clean,
            const std::function<int(std::int64_t)>& level_of,
            const std::function<int(std::int64_t)>& data_of);

  [[nodiscard]] std::uint64_t bit_errors() const { return accumulator_->bit_errors(); }
  /// The equalised slicer result; the sample-level eye histogram of `pre_dsp` is kept.
  [[nodiscard]] SlicerResult result(const SlicerResult& pre_dsp) const;
  [[nodiscard]] ReceiverDspReport report() const;
  /// The statistical eye at the DSP's output: the sampled pulse (relative to the sample
  /// `pulse_offset` of symbol 0's pre-DSP decision instant) through the frozen FFE taps at phases
  /// τ about the DSP's sampling instant (T/2 taps see their own half-UI samples), less the DFE's
  /// ideal cancellation g·b_n of cursors 1..D; noise σ and thresholds from the equalised result.
  /// At τ = 0 the cursors are refitted (least squares) on the noiseless equalised calibration
  /// outputs, and the same correction is added at every τ: the FFE spreads the input fit's
  /// residual (ISI beyond its window) over output cursors inside the window, where an input-side
  /// residual would be correlated with the modelled ISI. What that fit leaves is the
  /// unmodelled ISI (StatisticalEyeSettings::unmodelled_isi).
  [[nodiscard]] StatisticalEye statistical_eye(const SampledPulse& pulse, std::int64_t pulse_offset,
                                               const SlicerResult& equalised,
                                               const StatisticalEyeSettings& settings) const;
  [[nodiscard]] const RxDsp& dsp() const { return dsp_; }
  /// The DFE's feedback steps c_i = b_i·g·2/(M−1) (empty without a DFE).
  [[nodiscard]] std::vector<double> dfe_feedback() const;
  /// Absolute sample index of symbol 0's (first) DSP sample.
  [[nodiscard]] std::int64_t offset_samples() const { return offset_; }

 private:
  RxDspSettings settings_;
  SlicerSettings slicer_;
  bool monte_carlo_only_ = false;
  RxDsp dsp_;
  RxDspTraining training_;
  std::optional<SlicerAccumulator> accumulator_;
  /// The noiseless equalised calibration outputs (ideal DFE feedback) and their sent levels,
  /// after the start-up: the statistical eye's output-side pulse fit.
  std::vector<double> equalised_clean_;
  std::vector<int> equalised_levels_;
  std::int64_t offset_ = 0;
  double phase_ui_ = 0.0;
  CdrResult cdr_;
  std::int64_t warmup_symbols_ = 0;
  double pending_clean_ = 0.0, pending_noisy_ = 0.0;
};

}  // namespace optilane
