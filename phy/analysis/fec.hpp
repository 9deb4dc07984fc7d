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
  int n = 544;             ///< symbols per codeword
  int k = 514;             ///< data symbols
  int t = 15;              ///< correctable symbols
  int bits_per_symbol = 10;
};

inline constexpr ReedSolomonCode kp4_code{};

/// Post-FEC BER of a bounded-distance RS decoder at input BER `ber` (independent bit errors).
[[nodiscard]] double rs_post_fec_ber(double ber, const ReedSolomonCode& code = kp4_code);
/// Probability that a codeword is uncorrectable.
[[nodiscard]] double rs_codeword_failure(double ber, const ReedSolomonCode& code = kp4_code);

}  // namespace optilane
