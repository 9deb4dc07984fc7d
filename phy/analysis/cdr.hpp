// Clock and data recovery: a decision-directed phase detector and a first-order loop that choose
// the receiver's sampling phase, as an alternative to the optimum-phase search.
//
// The received waveform is sampled at real phase τ (in samples, relative to a reference instant;
// linear interpolation between the simulation's samples): y_k = x(k·sps + reference + τ). The
// decisions â_k slice y_k with the given thresholds, and s(â) is the decided level's normalised
// value mapped back to signal units through the level means μ_l.
//
// Mueller–Müller, type A (Mueller & Müller, "Timing recovery in digital synchronous data
// receivers", IEEE Trans. Commun. 24(5), 1976, eq. 22):
//   e_k = (y_k − m)·(μ(â_{k−1}) − m) − (y_{k−1} − m)·(μ(â_k) − m),   m = mean of the μ_l,
// whose expectation is ∝ h_1(τ) − h_{−1}(τ): it is negative when sampling late (the pre-cursor
// grows), so τ ← τ + K·e_k/A² (A the half span of the level means) locks where h_1 = h_{−1},
// the peak of a symmetric pulse.
// Bang-bang (Alexander, "Clock recovery from random binary signals", Electron. Lett. 11(22),
// 1975), with an edge sample ½ UI before each data sample; PAM4 uses only the transitions
// symmetric about the middle (0↔3, 1↔2), whose crossing is at the middle for any symmetric pulse:
//   late when (edge − m)·(μ(â_k) − μ(â_{k−1})) > 0,   τ ← τ − K_bb·sign(…) (in UI).
// Decision-directed MM can false-lock where the decisions are poor (on a 0.56·Rs Bessel channel,
// near +0.3 UI from the optimum) — real CDRs avoid it with a frequency/phase acquisition aid; here
// start within the pull-in range (±0.2 UI there) or use bang-bang.
// The lock phase is the mean of τ over the last half of the record (the loop's dither averaged);
// its standard deviation there is the recovered clock's jitter.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace optilane {

enum class CdrKind { optimum, mueller_muller, bang_bang };

[[nodiscard]] std::string_view cdr_kind_name(CdrKind kind);

struct CdrSettings {
  CdrKind kind = CdrKind::mueller_muller;
  double gain = 0.02;     ///< loop gain K: UI per normalised error (MM) or UI per step (BB, ÷4)
  double start_ui = 0.0;  ///< initial phase relative to the reference instant, UI
};

struct CdrResult {
  double phase_ui = 0.0;              ///< lock phase relative to the reference instant
  double jitter_rms_ui = 0.0;         ///< standard deviation of the phase over the last half
  std::vector<double> trajectory_ui;  ///< phase after each symbol
};

/// Runs the loop over a received record `x` (sample 0 = symbol 0's start) with symbol k's
/// reference instant at k·sps + reference_offset.
[[nodiscard]] CdrResult recover_clock(std::span<const double> x, int samples_per_symbol,
                                      std::int64_t reference_offset,
                                      std::span<const double> thresholds,
                                      std::span<const double> level_means,
                                      const CdrSettings& settings);

}  // namespace optilane
