// The receiver's symbol-rate DSP: FFE (T or T/2 spaced), DFE, MLSE (Viterbi for 1+αD), as a
// reusable pipeline that the lane runner and a retimer call after sampling.
//
// Input: the received waveform sampled at the chosen phase, `spacing` samples per symbol (1 =
// T-spaced, 2 = T/2 with the second sample ½ UI later). Symbol k's samples are x[k·s … k·s+s−1].
//
// FFE: y_j = Σ_t w_t · X_j[t] + w_dc, with X_j the samples of symbols j−post … j+pre (oldest
// first) and a bias tap w_dc that removes the DC of optical (unipolar) signals.
// DFE: y_j −= Σ_{i=1}^{D} b_i · g·s(â_{j−i}), with s(l) the normalised PAM level (±1, ±⅓) and g
// the main-cursor gain, so the DFE's output levels are g·s(l).
//
// MMSE (Wiener) solution with the DFE taps in the same regression (Proakis, Digital
// Communications, 5th ed., §9.5 and §9.5-2 for the MMSE DFE): with z_j = [X_j; 1; −g·s(a_{j−1});
// …; −g·s(a_{j−D})] and the desired d_j = g·s(a_j) (or g·(s(a_j) + α·s(a_{j−1})) as the MLSE
// target),
//   R = E[z zᵀ] = R_clean + R_noise,  p = E[z d],  w = R⁻¹ p,  MSE = E[d²] − pᵀw,
// where R_clean comes from the noiseless record and R_noise from (noisy − noiseless): the measured,
// coloured noise, so noise enhancement is part of the solution. Decisions in training are the sent
// symbols (correct feedback).
//
// LMS (Widrow–Hoff; Haykin, Adaptive Filter Theory, 5th ed., §6), data-aided over the calibration
// record in repeated passes, on regressors z̃ whose FFE inputs are centred on the record mean
// (the bias tap carries the DC; an optical signal's DC no longer swamps the step): normalised
// LMS w ← w + (μ/P̄)·e·z̃ with P̄ = ⟨|z̃|²⟩ = tr R̃ the average input power, stable for
// 0 < μ < 2, steady-state misadjustment M = μ·tr R̃/(2·P̄) = μ/2; or sign-sign
// w ← w + (μ/500)·sign(e)·sign(z̃). Convergence check, after every pass: the frozen taps' MSE on
// the record, J(w) = E[d²] − 2pᵀw + wᵀRw = J_min + (w − w_o)ᵀR(w − w_o), must come within
// 3·M·J_min of the Wiener J_min (sign-sign: within (lms_mse_limit − 1)·J_min); the passes, J(w),
// the excess and whether the check was met are reported (the taps are used either way, as a
// receiver would use its adapted taps); NumericError only when the adaptation diverges. A
// high-SNR record whose Wiener solution leans on weak spectral regions (a T/2 FFE beyond the
// signal's band) converges slowly there, mode k in ~P̄/(μ·λ_k) updates.
//
// Taps are frozen after training, and the noisy and noiseless twins pass through the same taps, so
// (noisy − noiseless) after the equaliser is the noise at the slicer: the semi-analytic BER carries
// the FFE's noise enhancement and colouring exactly. DFE: the twins use correct feedback; the
// semi-analytic BER adds error propagation from their statistics (dfe_propagation.hpp); the
// Monte-Carlo path feeds back its own decisions, so error propagation is real.
//
// MLSE: Viterbi over M states (the previous symbol) with the branch metric (y_j − g·(s_j +
// α·s_{j−1}))², fixed traceback depth. Its semi-analytic figure is the union bound over the
// alternating error events e = (Δ, −Δ, Δ, …) of length L (Forney 1972; Proakis §9.3), which have
// distance² d_L² = Δ²·(1 + α² + (L−1)(1−α)²), Δ = 2g/(M−1), and occur where every symbol admits
// its error (probability ((M−1)/M)^L for PAM-M), with L symbol errors each:
//   SER ≈ Σ_L 2·L·((M−1)/M)^L·Q(d_L/(2σ)),  BER ≈ SER/log2 M (Gray),
// with σ the noise at the FFE output. For α = 0 it is the ISI-free 2(1−1/M)·Q(Δ/2σ); for α = 1
// every event has the same distance and the multiplicity (24 for PAM4) dominates. Residual ISI
// beyond the 1+αD target is not in this estimate; Monte-Carlo has it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "phy/analysis/cdr.hpp"

namespace optilane {

enum class FfeAdaptation { mmse, lms, sign_sign_lms };

struct RxDspSettings {
  int levels = 4;         ///< M
  int spacing = 1;        ///< DSP input samples per symbol: 1 (T) or 2 (T/2)
  int ffe_pre_taps = 0;   ///< pre-cursor taps, in symbols
  int ffe_post_taps = 0;  ///< post-cursor taps, in symbols
  FfeAdaptation adaptation = FfeAdaptation::mmse;
  /// Normalised LMS step μ (0 < μ < 2); misadjustment μ/2. Sign-sign: increments of μ/500.
  double lms_step = 0.05;
  int lms_max_passes = 200;  ///< passes over the training record before giving up
  /// Sign-sign LMS only: converged when its frozen taps' MSE ≤ limit · MSE_wiener.
  double lms_mse_limit = 1.25;
  int dfe_taps = 0;  ///< D
  bool mlse = false;
  double mlse_alpha = -1.0;  ///< 1+αD target; < 0: fitted from the pulse response, in [0, 1]
  int mlse_traceback = 48;   ///< Viterbi decision delay, symbols
  /// Sampling phase: the optimum-phase search (lowest equalised MSE) or a CDR loop.
  CdrSettings cdr{.kind = CdrKind::optimum};

  [[nodiscard]] int ffe_length() const { return (ffe_pre_taps + ffe_post_taps + 1) * spacing; }
  [[nodiscard]] std::string describe() const;
};

/// Least-squares sampled pulse response: x_k ≈ Σ_{i=−pre}^{post} h_i·s(a_{k−i}) + dc, from a
/// noiseless symbol-rate record. Returns h_{−pre} … h_{post} and the dc term.
struct PulseResponse {
  std::vector<double> cursors;  ///< h_{−pre} … h_{post}
  int main = 0;                 ///< index of h_0 in `cursors`
  double dc = 0.0;
};
[[nodiscard]] PulseResponse fit_pulse_response(std::span<const double> samples,
                                               std::span<const int> levels, int level_count,
                                               int pre, int post);

struct RxDspTraining {
  double gain = 1.0;     ///< g: the main-cursor gain, the output's level scale
  double mse = 0.0;      ///< Wiener MSE (normalised by g²)
  double mse_lms = 0.0;  ///< MSE of the frozen LMS taps on the record (normalised by g²), 0 if not
                         ///< adapted
  int lms_passes = 0;
  double lms_excess = 0.0;        ///< (MSE_lms − MSE_wiener)/MSE_wiener: the misadjustment
  double lms_excess_limit = 0.0;  ///< the convergence check's limit on lms_excess
  bool lms_converged = true;      ///< lms_excess ≤ lms_excess_limit (or below −60 dB of E[d²])
  double noise_enhancement_db = 0.0;  ///< 10·log10(Σ noise after FFE / noise before), per sample
  double mlse_alpha = 0.0;
};

/// One symbol out of the pipeline.
struct RxDspOutput {
  bool valid = false;
  std::int64_t symbol = -1;      ///< index of the symbol the samples belong to
  double clean = 0.0;            ///< noiseless twin, ideal feedback
  double noisy = 0.0;            ///< noisy, ideal feedback (for the noise at the slicer)
  double decision_sample = 0.0;  ///< noisy with its own decisions fed back (Monte-Carlo)
  bool has_decision = false;
  std::int64_t decision_symbol = -1;
  int decision = 0;  ///< decided level (slicer or Viterbi)
};

class RxDsp {
 public:
  explicit RxDsp(const RxDspSettings& settings);

  /// Trains on a calibration record at `spacing` samples per symbol (noiseless and noisy twins)
  /// with the sent levels. Throws NumericError when LMS diverges; non-convergence is reported.
  /// `thresholds`: also set the slicer thresholds (midpoints of the noiseless output's level
  /// means, a pass of the equaliser over the record); false leaves them as they were, for a
  /// caller that sets its own (set_thresholds) before any decision it reads.
  RxDspTraining train(std::span<const double> clean, std::span<const double> noisy,
                      std::span<const int> levels, bool thresholds = true);
  /// The Wiener MSE (normalised by g²) that train() with MMSE adaptation reports on these records,
  /// from the same normal equations summed another way (each FFE lag once per sub-sample, the
  /// windows of the other taps by sliding: O(N·n) instead of O(N·n²)), so equal to it up to
  /// round-off; the taps are not touched. Throws as train() does. For ranking sampling phases.
  [[nodiscard]] double wiener_mse(std::span<const double> clean, std::span<const double> noisy,
                                  std::span<const int> levels) const;
  /// Slicer thresholds of the DFE's own decisions (in output units); defaults to the midpoints
  /// of g·s(l).
  void set_thresholds(std::vector<double> thresholds) { thresholds_ = std::move(thresholds); }
  [[nodiscard]] const std::vector<double>& thresholds() const { return thresholds_; }

  /// Feeds symbol k's `spacing` samples; returns the output for symbol k − pre (when valid).
  /// `level_of(j)` gives the sent level of symbol j (for the twins' ideal feedback). `clean` ==
  /// `noisy` (one record as both, a Monte-Carlo-only receiver) convolves once.
  template <typename LevelOf>
  RxDspOutput step(std::int64_t k, const double* clean, const double* noisy, LevelOf level_of);

  /// Applies the frozen pipeline to whole records (as step() would) and returns the outputs.
  [[nodiscard]] std::vector<RxDspOutput> run(std::span<const double> clean,
                                             std::span<const double> noisy,
                                             std::span<const int> levels);

  void reset();
  [[nodiscard]] const RxDspSettings& settings() const { return settings_; }
  [[nodiscard]] const std::vector<double>& ffe_taps() const { return ffe_; }
  [[nodiscard]] double ffe_dc() const { return dc_; }
  [[nodiscard]] const std::vector<double>& dfe_taps() const { return dfe_; }
  [[nodiscard]] double gain() const { return gain_; }
  [[nodiscard]] double mlse_alpha() const { return alpha_; }
  /// Union-bound MLSE BER estimate for noise σ at the FFE output (see the header).
  [[nodiscard]] double mlse_ber_estimate(double sigma) const;

 private:
  int slice(double y) const;
  void viterbi_step(double y, RxDspOutput& out);

  RxDspSettings settings_;
  std::vector<double> ffe_, dfe_, thresholds_;
  double dc_ = 0.0, gain_ = 1.0, alpha_ = 0.0;
  // Streaming state: the last n = ffe_length() input samples of both twins, past decisions. Each
  // ring holds every sample twice (at head and head + n), so the n samples from the oldest on are
  // contiguous: the FFE's dot product runs without a wrap test per tap.
  std::vector<double> clean_hist_, noisy_hist_;
  std::vector<int> past_decisions_;  ///< ring of D
  std::size_t head_ = 0;
  std::int64_t fed_ = 0;
  // Viterbi
  std::vector<double> metric_, metric_next_;
  std::vector<int> backpointer_;  ///< [traceback][M]
  std::int64_t viterbi_steps_ = 0;
};

template <typename LevelOf>
RxDspOutput RxDsp::step(std::int64_t k, const double* clean, const double* noisy,
                        LevelOf level_of) {
  const int s = settings_.spacing;
  const auto n = clean_hist_.size() / 2;
  for (int i = 0; i < s; ++i) {
    clean_hist_[head_] = clean_hist_[head_ + n] = clean[i];
    noisy_hist_[head_] = noisy_hist_[head_ + n] = noisy[i];
    head_ = head_ + 1 == n ? 0 : head_ + 1;  // no division per sample
  }
  ++fed_;
  RxDspOutput out;
  if (fed_ < settings_.ffe_pre_taps + settings_.ffe_post_taps + 1) return out;
  const std::int64_t j = k - settings_.ffe_pre_taps;
  // The window from the oldest sample on (head_), tap by tap in order: the same sums as over the
  // ring, each in a register.
  const double* taps = ffe_.data();
  const double* xn = noisy_hist_.data() + head_;
  double yc = dc_, yn = dc_;
  if (clean == noisy) {
    // One record given as both (a Monte-Carlo-only receiver): one convolution.
    for (std::size_t t = 0; t < n; ++t) yn += taps[t] * xn[t];
    yc = yn;
  } else {
    const double* xc = clean_hist_.data() + head_;
    for (std::size_t t = 0; t < n; ++t) {
      yc += taps[t] * xc[t];
      yn += taps[t] * xn[t];
    }
  }
  out.valid = true;
  out.symbol = j;
  const int m = settings_.levels;
  double ideal_fb = 0.0, real_fb = 0.0;
  const int d = settings_.dfe_taps;
  for (int i = 1; i <= d; ++i) {
    const int sent = j - i >= 0 ? level_of(j - i) : 0;
    const int decided = past_decisions_[static_cast<std::size_t>((j - i) % d + d) % d];
    ideal_fb += dfe_[static_cast<std::size_t>(i - 1)] * gain_ * (2.0 * sent / (m - 1) - 1.0);
    real_fb += dfe_[static_cast<std::size_t>(i - 1)] * gain_ * (2.0 * decided / (m - 1) - 1.0);
  }
  out.clean = yc - ideal_fb;
  out.noisy = yn - ideal_fb;
  out.decision_sample = yn - real_fb;
  if (settings_.mlse) {
    viterbi_step(out.noisy, out);
  } else {
    out.has_decision = true;
    out.decision_symbol = j;
    out.decision = slice(out.decision_sample);
    if (d > 0) past_decisions_[static_cast<std::size_t>((j % d + d) % d)] = out.decision;
  }
  return out;
}

}  // namespace optilane
