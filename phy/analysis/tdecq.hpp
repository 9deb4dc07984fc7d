// TDECQ, OMA(outer), extinction ratio and RLM of a PAM4 optical transmitter.
//
// Method (IEEE 802.3 clause 121.8.5 "Transmitter and dispersion eye closure for PAM4 (TDECQ)",
// reused by clauses 124, 138, 140, 151 and, for 200 G/lane, 802.3dj clause 180; the IEEE text is
// paywalled and was not retrieved, so the steps below are as we understand them — see the
// approximations listed after them):
//  1. The optical power waveform passes the reference receiver: a 4th-order Bessel–Thomson
//     response with 3 dB bandwidth Rs/2 (13.28125 GHz at 26.5625 GBd, cl. 121.8.5.1; 26.5625 GHz
//     at 53.125 GBd).
//  2. OMA_outer = P3 − P0 (cl. 121.8.4): P3 the mean power over the central 2 UI of the test
//     pattern's run of 7 threes, P0 over the central 2 UI of its run of 6 zeros (PRBS13Q and
//     SSPRQ hold them; as quoted by open TDECQ implementations and Keysight's FlexDCA help, S —
//     the clause itself was not retrieved). Here: every run of at least 7 threes and of at least
//     6 zeros inside the window, all averaged (open TDECQ implementations read "a run of 7" so,
//     phy/outer_level_runs.hpp; the micro-ring's lock on its modulated levels reads them the
//     same way); when the window holds none (shorter patterns or windows), the mean at the eye
//     centre of symbols whose two neighbours carry the same level, the former approximation (the
//     open implementations and the ring's lock alone take the longest runs there). ER =
//     10·log10(P3/P0) on the same P3, P0 (FlexDCA's PAM4 outer ER: "the central 2 symbols from
//     seven consecutive 3's and six consecutive 0's", S). P_ave is the mean of the waveform at the
//     eye centre over the window.
//  3. A 5-tap, T-spaced reference FFE with taps summing to 1 (so OMA and P_ave are unchanged).
//  4. Thresholds P_ave and P_ave ± OMA_outer/3; two sampling instants 0.1 UI apart, centred on the
//     eye centre; at each, the histogram of the equalised waveform in a 0.04 UI window.
//  5. σ_G: the largest Gaussian noise, referred to the equaliser input, for which the SER from
//     both histograms is at most the target 4.8e-4 (the instant that fails first limits it); at
//     the decision point that noise is C_eq·σ_G, C_eq the FFE's noise-enhancement coefficient for
//     noise shaped by the reference receiver: C_eq² = Σ_ij w_i w_j R_n((i−j)T)/R_n(0).
//  6. TDECQ = 10·log10( OMA_outer / (6·Q_t·σ_G) ), Q_t = 3.414 (the Q of an ideal PAM4 eye at
//     SER 4.8e-4: 1.5·Q(Q_t) = 4.8e-4), i.e. 10·log10(C_eq·OMA_outer/(6·Q_t·σ_decision)).
// RLM (cl. 120.5.11.2.2; 120D.3.1.2, "a function of the mean signal level transmitted for each
// PAM4 symbol level" as FlexDCA's help puts it, S — no runs): on the four eye-centre means of
// step 2 (symbols between two equal neighbours), whichever P0/P3 OMA uses. V_mid = (V0+V3)/2, ES1 =
// (V1−V_mid)/(V0−V_mid), ES2 = (V2−V_mid)/(V3− V_mid), RLM = min(3·ES1, 3·ES2, 2−3·ES1, 2−3·ES2).
//
// Approximations (documented, not hidden): the eye centre is the phase with the widest
// unequalised inner-eye opening, not the crossing-time average of the clause; the FFE is the
// constrained MMSE solution at the centre instant, not the TDECQ-minimising search of the clause
// (MMSE is within a few tenths of a dB of the optimum on ordinary transmitters); the threshold
// adjustment of later amendments is not applied; the main-tap constraints of 802.3cu/dj
// are not imposed. The waveform is noiseless; the transmitter's own noise enters as
// `tx_noise_rms_w` at the reference receiver's output (the histogram of a real measurement holds
// it).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

namespace optilane {

class GaussianTailTable;

struct TdecqSettings {
  double symbol_rate_bd = 53.125e9;
  int samples_per_symbol = 16;
  double reference_bandwidth_hz = 0.0;  ///< 0: Rs/2 (cl. 121.8.5.1); < 0: no reference receiver
  int ffe_taps = 5;                     ///< reference FFE (cl. 121.8.5.4); 1 = none
  double target_ser = 4.8e-4;           ///< cl. 121.8.5.3
  double instant_separation_ui = 0.1;   ///< the two sampling instants
  double window_ui = 0.04;              ///< histogram window width
  double tx_noise_rms_w = 0.0;          ///< transmitter noise at the reference receiver output
  /// σ_G's bisection decides every step by erfc alone (the reference the table-first decisions
  /// are tested against: ser_above_target). The result is the same bit for bit either way.
  bool exact_decisions = false;
};

struct TdecqResult {
  double tdecq_db = 0.0;
  double oma_outer_w = 0.0;
  double average_power_w = 0.0;
  double extinction_ratio_db = 0.0;
  double rlm = 0.0;
  double sigma_g_w = 0.0;  ///< σ_G, referred to the equaliser input
  double c_eq = 1.0;
  /// When the eye misses the target SER before any noise is added (TDECQ unbounded, tdecq_db =
  /// +∞): the SER at the worse of the two instants with the transmitter's own noise only, the
  /// full sum of step 5 at σ_G = 0. NaN when TDECQ is finite.
  double ser_without_added_noise = std::numeric_limits<double>::quiet_NaN();
  double centre_ui = 0.0;  ///< eye centre within the symbol, UI from the symbol start
  /// P0 … P3: P0 and P3 as OMA and ER take them (see outer_levels_from_runs), P1 and P2 at the
  /// eye centre.
  std::vector<double> levels_w;
  /// P0 … P3 at the eye centre, the mean of the symbols between two equal neighbours (RLM's).
  std::vector<double> eye_levels_w;
  /// True when P3 and P0 are the central-2-UI means of the longest runs (cl. 121.8.4); false
  /// when the window holds no run of 7 threes and 6 zeros and the eye-centre levels were used.
  bool outer_levels_from_runs = false;
  /// Lengths of the window's longest runs of threes and of zeros (not touching its ends).
  std::int64_t longest_run_threes = 0;
  std::int64_t longest_run_zeros = 0;
  /// With outer_levels_from_runs: how many runs of at least 7 threes and 6 zeros P3 and P0
  /// average (0 otherwise).
  std::int64_t runs_threes = 0;
  std::int64_t runs_zeros = 0;
  std::vector<double> ffe_taps;  ///< reference FFE (sum 1)
};

/// TDECQ of a noiseless optical power waveform `power_w` (samples_per_symbol samples per symbol,
/// symbol k's nominal interval starting at sample k·sps plus any delay, which is found by
/// correlation) carrying the PAM4 levels `levels` (0..3).
/// Taps of the reference receiver (4th-order Bessel–Thomson at reference_bandwidth_hz, or Rs/2;
/// {1} when reference_bandwidth_hz < 0) at the settings' sample rate. Also used to refer a
/// transmitter's noise to the reference receiver's output (tx_noise_rms_w).
[[nodiscard]] std::vector<double> reference_receiver_taps(const TdecqSettings& settings);

[[nodiscard]] TdecqResult tdecq(std::span<const double> power_w, std::span<const int> levels,
                                const TdecqSettings& settings);

/// One step of σ_G's bisection (step 5): whether the SER of `samples` decisions with the
/// distances `distances` (sorted ascending) to their region's thresholds, under Gaussian noise
/// of RMS `sigma` (> 0), exceeds `target_ser`. The reference evaluation sums Q(d/σ) by erfc
/// largest first, terms beyond 9σ zero, and stops as soon as the partial sum exceeds the target
/// or the partial sum plus (terms left) × (the last term, their bound) stays within it.
/// With `table` (GaussianTailTable), the same walk runs first on the table's Q, each term within
/// its relative bound ε of Q, and decides only where that bound proves the reference's answer:
/// true once the partial sum exceeds the target by the factor (1 + ε)(1 + 1e-9) (the reference's
/// whole sum, at least this partial one, cannot then lie within the target, so it cannot have
/// stopped with false either), false once the partial sum plus the remaining terms' bound, times
/// (1 + ε)/(1 − ε)·(1 + 1e-9), stays below the target; the 1e-9 covers the rounding of a few
/// thousand additions and of erfc against the table's reference. Otherwise (the SER within
/// ~1e-6 of the target) it returns the reference's decision. So the answer is always the
/// reference's: σ_G, hence TDECQ, bit for bit.
[[nodiscard]] bool ser_above_target(std::span<const double> distances, double samples, double sigma,
                                    double target_ser, const GaussianTailTable* table);

}  // namespace optilane
