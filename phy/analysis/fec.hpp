// FEC models.
//
// KP4 = RS(544,514) over GF(2^10), t = 15 symbols (IEEE 802.3 clause 91.5.2.7). With independent
// bit errors at rate p, a 10-bit symbol is wrong with probability p_s = 1 − (1 − p)^10; a
// bounded-distance decoder fails when more than t of the n = 544 symbols are wrong, and then
// passes its i wrong symbols through. Output symbol error rate:
//   SER_out = Σ_{i=t+1}^{n} (i/n) C(n,i) p_s^i (1 − p_s)^(n−i),
// and with m·p/p_s wrong bits per wrong symbol, BER_out = SER_out · p / p_s.
#pragma once

namespace optilane {

struct ReedSolomonCode {
  int n = 544;  ///< symbols per codeword
  int k = 514;  ///< data symbols
  int t = 15;   ///< correctable symbols
  int bits_per_symbol = 10;
};

inline constexpr ReedSolomonCode kp4_code{};

/// Post-FEC BER of a bounded-distance RS decoder at input BER `ber` (independent bit errors).
[[nodiscard]] double rs_post_fec_ber(double ber, const ReedSolomonCode& code = kp4_code);
/// Probability that a codeword is uncorrectable.
[[nodiscard]] double rs_codeword_failure(double ber, const ReedSolomonCode& code = kp4_code);

// 802.3dj inner code (figures.md §1.1): extended Hamming(128,120), concatenated inside KP4 with a
// convolutional interleaver that spreads each inner codeword over 12 RS codewords. Hard-decision
// SEC-DED, bounded distance: with i ≥ 2 bit errors in 128 the decoder does not correct; an even
// i is detected and passed through (i errors), an odd i ≥ 3 is miscorrected (i + 1 errors):
//   BER_out = Σ_{i=2}^{128} C(128,i) p^i (1−p)^{128−i} · (i + [i odd]) / 128.
// Soft-decision (Chase-type) decoding, which 802.3dj allows, does better; the proposal threshold
// for the concatenated code is BER ≈ 4.8e-3 at the inner decoder input (figures.md §1.1, status
// S/U: a task-force proposal figure; a 2025 JLT paper quotes 4.5e-3 for a 6.25 %-overhead HD-FEC,
// https://bohrium.dp.tech/paper/arxiv/53e9a289b7602d9702b8f7be;
// https://www.signalintegrityjournal.com/articles/3405-200-gbps-ethernet-forward-error-correction-fec-analysis
// for the code). The hard-decision curve above reaches the KP4 input threshold (2.4e-4) at
// p_hd ≈ 1.4e-3, so it is conservative by about that factor.
//
// Soft-decision model, anchored on the cited threshold: the soft decoder is taken to behave as
// the hard-decision decoder at an input BER scaled by s = p_hd / 4.8e-3 (≈ 0.29), so that the
// concatenated code hands KP4 exactly its 2.4e-4 threshold at the cited 4.8e-3:
//   BER_out,soft(p) = BER_out,RS( BER_out,Hamming-HD(s·p) ).
// The shape of the curve is the hard-decision analysis; its position is the cited threshold.
// This is what `fec: kp4_inner` uses; the 113.4375 GBd presets set target_ber to 4.8e-3.
inline constexpr double inner_fec_soft_threshold_ber = 4.8e-3;

/// Post-decoder BER of hard-decision extended Hamming(128,120).
[[nodiscard]] double hamming_128_120_post_ber(double ber);
/// Input BER at which hard-decision Hamming(128,120) hands KP4 its 2.4e-4 threshold (≈ 1.4e-3).
[[nodiscard]] double hamming_128_120_hard_threshold_ber();
/// Concatenated 802.3dj FEC with the soft-decision inner decoder (the model above), then KP4;
/// the interleaver making the RS input errors independent (the random-error assumption).
[[nodiscard]] double concatenated_post_fec_ber(double ber);
/// The same with the hard-decision inner decoder (conservative).
[[nodiscard]] double concatenated_hard_post_fec_ber(double ber);

}  // namespace optilane
