// Statistical eye from the pulse response: BER contours, eye height and width per eye at the
// target BER, and horizontal and vertical bathtub curves, without Monte-Carlo.
//
// Model (the "peak distortion → full distribution" statistical eye of Casper et al., "An accurate
// and efficient analysis method for multi-Gb/s chip-to-chip signaling schemes", VLSI Circuits
// 2002; as in IEEE 802.3 Annex 93A COM): at sampling phase τ the noiseless slicer sample of a
// symbol at level l is
//   x = dc + h_0(τ)·s_l + Σ_{i≠0} h_i(τ)·s_{a_{k−i}},   s ∈ {−1, −⅓, +⅓, +1} (PAM4),
// with independent, equiprobable symbols, so the ISI term's distribution is the convolution over
// the cursors i ≠ 0 of the uniform distributions {h_i·s}. It is built on a fine grid (step
// ≤ σ/32, up to `max_isi_bins` bins), each cursor's shift split between the two neighbouring bins
// so every atom's mean is exact; the split's known variance v̄ = Σ_i (1/M)Σ_l f_il(1−f_il)·dx²
// (f_il the fractional shift of h_i·s_l in bins) is taken out of the noise variance. The fine bins
// are then gathered into σ/8 bins that keep their mass p_b, mean m_b and variance v_b. Gaussian
// noise of the level's σ_l (measured at the slicer, so shot ∝ P, RIN ∝ P² and the FFE's noise
// enhancement are in it) is added analytically:
//   P(x + n > v | l) = Σ_b p_b · Q((v − μ_l − m_b)/s_b),   s_b² = σ_l² − v̄ + v_b,
//   μ_l = dc + h_0·s_l (+ e_l, the residual's level mean: below),
// summed within ±8.5σ (Q(8.5) ≈ 1e−17) and by prefix sums beyond. With every atom's first two
// moments kept, this equals the exact enumeration over the cursors to ~0.1 % in BER (tests); the
// earlier rounding of fine bins to the coarse centres moved the atoms of a nearly discrete ISI by
// up to σ/16 and read 5–13 % high on a first-order-pole channel (BER 1e-4 … 1e-9).
//
// The semi-analytic BER (slicer.hpp) is the same expectation over the symbol sequences actually
// sent (the noiseless samples x_k) rather than over all sequences; the two agree to the sampling
// of the pattern (~1 % over 10⁶ PRBS31Q symbols) wherever the chain is linear and its ISI lies
// within the fitted cursors (6 pre, 24 post).
//
// Per eye j (between levels j and j+1) with its threshold at v:
//   B_j(τ, v) = ½ [P(x + n > v | j) + P(x + n < v | j+1)],
// the probability that a symbol of either level lands on the wrong side of v (the eye's bit
// error ratio with Gray coding, adjacent errors only). Vertical bathtub: B_j(0, v); horizontal
// bathtub: B_j(τ, t_j) at the slicer's threshold; eye height: the span of v about the threshold
// with B_j(0, v) ≤ target; eye width: the span of τ about 0 with B_j(τ, t_j) ≤ target
// (interpolated in log10 B); BER contours: B_{j(v)}(τ, v) on a (τ, v) grid with j(v) the eye
// whose threshold is nearest. The lane's statistical BER is the exact expectation at τ = 0 over
// all decision regions with the Gray bit count (as the semi-analytic BER, but over all symbol
// sequences instead of those sent).
//
// Behind a DFE (settings.dfe_feedback) the cursors it cancels are taken out (ideal feedback) and
// the BER figure is the decision-error Markov chain of dfe_propagation.hpp over the τ = 0
// distribution, so error propagation is in it. The contours, bathtubs, heights and widths carry
// it too: with π(E) the chain's stationary probability of the error state E (δ(E) the shift its
// wrong feedback puts on the sample),
//   B_j(τ, v) = Σ_E π(E) · B_j^ideal(τ, v − δ(E)),
// the error probability of a comparator at (τ, v) while the DFE feeds back the data slicer's
// decisions at τ = 0 with its thresholds (an eye monitor's view; at (0, t_j) it is the chain's own
// per-eye error ratio). The `dfe_states` most probable states are kept (all of a 1-tap DFE's
// 2M − 1); the mass of the rest is given to the error-free state and reported
// (dfe_dropped_probability: the figures are low by at most that much, absolute). At each point
// the average stops once the states left could add at most dfe_state_tolerance (1e-3) of it,
// relative (near the eye's edges, where B ≫ the burst states' mass, the error-free state alone).
//
// Q evaluation. The BER figure (and the DFE chain's error-free state) use erfc; the chain's burst
// states use the table below (each decision probability within ≈ ε(1 + r)/(1 − r), r the ratio
// of a region's two bounding tails; the BER, a rational function of them of degree ≤ the burst
// length, within 1e-5 relative of the erfc chain: tested). The
// bathtubs, contours, heights and widths use a cubic Hermite table of Q (gaussian_tail_table.hpp)
// whose relative error bound ε (≈ 3.5e-7) carries over to every figure as a sum of positive
// terms: each contour and bathtub value is within relative ε of the erfc path
// (settings.exact_q), tested. The contour map's points off τ = 0 are moreover summed over fewer
// bins, within settings.contour_tolerance (1e-2) of the full sum, relative (proved per point,
// tested; the map is a picture, every other figure takes the full sum).
//
// What the linear pulse leaves out: the fit's residual r_k = x_k − x̂_k at the slicer, from two
// sources: ISI outside the fitted cursors (−6 … +24 UI: reflections that return later, e.g.
// across a host PCB or a 33 mm package) and the chain's nonlinearity (an EML's or MZM's
// compression, square-law detection of a dispersed field, a limiting stage). It enters as
// measured on the calibration record, not as a Gaussian of its RMS (settings.unmodelled_isi):
//  - its mean per sent level, e_l = mean of r_k over the symbols k at level l, moves the level
//    means, μ_l = dc + h_0·s_l + e_l: the unequal level spacing (RLM < 1) of a compressing
//    modulator, which a linear fit spreads evenly (as r is orthogonal to the fitted s_l, e_l is
//    the least-squares per-level main cursor);
//  - what is left, r_k − e_l, is one more independent term of the ISI sum with the empirical
//    distribution of its samples (each of weight 1/N), convolved into the ISI distribution: the
//    samples gathered into atoms (at most 257, of width ≥ σ/4 at τ = 0 and ≥ σ elsewhere) that
//    keep their mass, mean and variance, and every (ISI bin, atom) pair gathered into the
//    noise-step bin nearest its mean with its mass, mean and variance kept, as the ISI's own
//    bins are. The distribution is one for all levels when every level's residual has the
//    pooled variance and third moment within 4 standard errors of its own (echoes beyond the
//    window, which do not depend on the level sent), and each level's own otherwise (a
//    nonlinearity distorts the levels unequally: an EML compresses its outer levels' ISI, not
//    its inner ones').
//    Costs and their bounds: the atoms off τ = 0 serve the horizontal bathtub, the eye width and
//    the contour picture, whose figures moved by ≤ 3e-4 UI against σ/4 atoms on the tier presets
//    (lpo-200g, cpo-200g, npo-200g, lro-100g); ISI bins of mass below 1e-30 at the ends of the
//    distribution are not convolved (far below the noise window's ~1e−17 floor).
// Behind a receiver FFE the residual is the one of a least-squares fit of the equalised
// noiseless outputs over the output's cursors (link/receiver_dsp.hpp), whose correction to the
// input pulse through the FFE is added at every τ: the input fit's residual filtered by the FFE
// is correlated with the modelled output cursors (the FFE moves ISI from beyond the input window
// into the output's), which an independent term cannot represent.
// The residual is independent of the fitted ISI for echoes beyond the window and only
// uncorrelated with it for the nonlinear products of neighbouring symbols. Measured against
// the semi-analytic BER on the examples and tier presets (2026-11-28; before → after, the
// semi-analytic in brackets): lpo-200g 1.8e-3 → 7.3e-5 (4.5e-5; Monte-Carlo 7.0e-5, 95 %
// interval 5.1e-5 … 9.5e-5, 300,000 symbols); npo-200g 1.4e-6 → 1.42e-8 (1.33e-8); cpo-100g
// 6.5e-8 → 2.5e-12 (1.9e-12); dfb-direct-26g 2.5e-5 → 4.6e-8 (1.4e-8); mrm-106g 2.3e-6 →
// 1.23e-6 (1.20e-6); copper-dac-100g 8.7e-8 → 5.7e-8 (5.3e-8). Where the two still differ by
// decades (copper host segments near 1e-13, c2m-touchstone with PRBS13Q) the semi-analytic
// BER is the pattern's: over a random-like pattern they meet (c2m-touchstone, PRBS31Q, 131,072
// symbols: 2.26e-6 semi-analytic, 3.10e-6 statistical), the statistical eye counting the
// rare ISI sequences a short pattern does not hold.
//
// Approximations, documented: symbols are independent (a PRBS is close; precoding is not
// modelled), the chain is linear about its operating point apart from the residual above, and σ_l
// and the residual are the ones measured at the decision instant, used at every phase.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "phy/analysis/rx_dsp.hpp"

namespace optilane {

/// Samples of what the pulse fit leaves out at the slicer, with each sample's sent level.
struct UnmodelledIsi {
  std::vector<double> residual;  ///< signal units
  std::vector<int> levels;       ///< 0 … M − 1, one per sample
};

/// The noiseless response of the chain to one symbol, sampled at the simulation rate: the
/// least-squares fit x[k·sps + q] ≈ dc + Σ_i r[i·sps + q]·s(a_{k−i}) at every phase q.
struct SampledPulse {
  int samples_per_symbol = 1;
  std::int64_t first_sample = 0;  ///< sample of response[0], relative to the decision instant
  std::vector<double> response;   ///< per normalised level (s = 1)
  double dc = 0.0;
  double fit_residual_rms = 0.0;  ///< RMS of the fit's residual (nonlinearity), signal units
  double signal_rms = 0.0;        ///< RMS of the fitted samples about dc, signal units
  /// The fit's residual x − x̂ at every sample of the calibration record (NaN where not fitted):
  /// ISI from cursors outside −pre … post (reflections beyond the window) and nonlinearity.
  std::vector<double> residual;
  std::int64_t decision_offset = 0;  ///< record sample of symbol 0's decision instant

  /// The calibration record's symbol levels (symbol k's decision instant at
  /// decision_offset + k·sps): the residual's samples' sent levels.
  std::vector<int> levels;

  /// RMS of the residual at the decision instants (no receiver filter after the fit).
  [[nodiscard]] double residual_rms_at_decisions() const;
  /// The residual at the decision instants, unfiltered, with each sample's sent level.
  [[nodiscard]] UnmodelledIsi residual_at_decisions() const;
  /// The residual through an FIR at the decision instants: output j is
  /// Σ_t taps[t]·residual[first_instant + j·sps + tap_offsets[t]], j = 0, 1, … while every tap
  /// lies before the record's end, with symbol j's level (first_instant is symbol 0's decision
  /// instant); outputs with a tap before the record or on an unfitted (NaN) sample are left out.
  [[nodiscard]] UnmodelledIsi residual_through(std::span<const double> taps,
                                               std::span<const std::int64_t> tap_offsets,
                                               std::int64_t first_instant) const;

  /// The response at a real sample position (relative to the decision instant), linear
  /// interpolation, zero outside the fitted span.
  [[nodiscard]] double at(double sample) const;
  /// Symbol-spaced cursors h_{−pre} … h_{post} at phase τ (UI from the decision instant).
  [[nodiscard]] PulseResponse cursors_at(double tau_ui, int pre, int post) const;
  [[nodiscard]] int pre_cursors() const;
  [[nodiscard]] int post_cursors() const;
};

/// Fits the sampled pulse response from a noiseless record `clean` (sample 0 = symbol 0's start)
/// with decision instant of symbol k at k·sps + offset_samples, `pre`/`post` cursors.
[[nodiscard]] SampledPulse fit_sampled_pulse(std::span<const double> clean,
                                             std::span<const int> levels, int level_count,
                                             int samples_per_symbol, std::int64_t offset_samples,
                                             int pre, int post);

struct StatisticalEyeSettings {
  int levels = 4;
  double target_ber = 2.4e-4;
  int time_points = 65;        ///< across −½ … +½ UI
  int amplitude_points = 256;  ///< vertical bathtub and contour map
  int max_isi_bins = 16385;    ///< fine ISI grid
  /// DFE feedback steps c_i = b_i·g·2/(M−1) (empty: no DFE). When set, `ber` and `ser` are the
  /// error-propagation chain's (dfe_propagation.hpp) over the τ = 0 distribution; the bathtubs,
  /// contours, heights and widths are averaged over the chain's most probable error states.
  std::vector<double> dfe_feedback{};
  /// Most probable DFE error states averaged over in the contours and bathtubs (see above).
  int dfe_states = 16;
  /// At each point the average over the states (largest π first) stops once the π of the
  /// states left, an upper bound on what they add (B ≤ 1), is at most this fraction of the sum:
  /// the figure is then low by at most this much, relative. 0: every kept state.
  double dfe_state_tolerance = 1e-3;
  /// Every Q by erfc (the reference the tabulated Q is tested against).
  bool exact_q = false;
  /// Eye heights by the earlier search (the reference the bracketed one is tested against): a
  /// 512-step scan between the level means, then 60 halvings of [inside, edge limit] per edge,
  /// instead of the vertical bathtub's grid as the scan and a one-step bracket.
  bool height_by_scan = false;
  /// The contour map (off: `contour_ber` stays empty; the bathtubs, heights and widths are
  /// unchanged).
  bool contours = true;
  /// The contour map's points (τ ≠ 0) within this relative bound ε of the full evaluation:
  /// bins whose Gaussian term is within ε/4 of 1 counted as their mass, and a tail's far bins
  /// left out once their largest possible sum is within ε/4 of the sum so far, the tail nearer
  /// the point's level first and its sum counted in the other's (proved per point:
  /// statistical_eye.cpp, ContourTrim). The map is a picture for the HDF5 file and the plots:
  /// 1e-2 moves log10 B by < 4.4e-3 and a contour line by < 0.01·σ/Q⁻¹(B) (≈ 1e-3 σ at
  /// B = 1e-12), far inside the map's amplitude step (256 points over the outer levels, the ISI
  /// reach and 6σ on each side); 1e-4 took 1.4× the bins (pluggable-dsp-fr4-200g: 141 bins per
  /// point against 99).
  /// Near the DFE state average's stop (dfe_state_tolerance) a point may stop one state earlier
  /// or later than the full evaluation, within that tolerance. 0: the full evaluation. The
  /// bathtubs, heights, widths and BER never use it.
  double contour_tolerance = 1e-2;
  /// What the cursors leave out at the slicer (the pulse fit's residual through the receiver's
  /// filters, with the sent levels): its per-level means move the level means, the rest is
  /// convolved into the ISI distribution as measured (see the file comment). Without it a
  /// channel whose reflections return after the fitted window reads optimistic (copper-dac-200g:
  /// statistical 1.3e-4 against semi-analytic 3.5e-4). Fewer than 2·M samples: not used.
  UnmodelledIsi unmodelled_isi{};
  /// The same taken as Gaussian noise of this RMS instead, σ_l² + u² (the earlier model; a
  /// closed-form reference).
  double unmodelled_isi_rms = 0.0;
};

struct StatisticalEye {
  double ber = 0.0;  ///< at τ = 0 with the slicer's thresholds, all regions, Gray bit count
  double ser = 0.0;
  std::vector<double> level_means;                  ///< dc + h_0·s_l + e_l at τ = 0
  std::vector<double> eye_height;                   ///< per eye at the target BER, signal units
  std::vector<double> eye_width_ui;                 ///< per eye at the target BER
  std::vector<double> time_ui;                      ///< horizontal axis, −½ … ½
  std::vector<std::vector<double>> horizontal_ber;  ///< [eye][time], B_j(τ, t_j)
  std::vector<double> amplitude;                    ///< vertical axis, signal units
  std::vector<std::vector<double>> vertical_ber;    ///< [eye][amplitude], B_j(0, v)
  std::vector<double> contour_ber;      ///< [time][amplitude] row-major, B_{j(v)}(τ, v)
  double q_relative_error_bound = 0.0;  ///< of the bathtubs and contours (0: erfc throughout)
  /// contour_ber off τ = 0 within this of the full sum, relative (settings.contour_tolerance;
  /// 0: the full sum)
  double contour_tolerance = 0.0;
  int dfe_states = 0;                    ///< DFE error states in the bathtubs and contours
  double dfe_dropped_probability = 0.0;  ///< their mass left out (given to the error-free state)
};

/// The statistical eye for cursors `response_at(τ)` (τ in UI from the decision instant), noise σ
/// per level and the slicer's thresholds (M − 1, increasing).
[[nodiscard]] StatisticalEye statistical_eye(
    const std::function<PulseResponse(double)>& response_at,
    std::span<const double> sigma_per_level, std::span<const double> thresholds,
    const StatisticalEyeSettings& settings);

}  // namespace optilane
