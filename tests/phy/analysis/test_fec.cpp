// FEC models: KP4 RS(544,514) and the 802.3dj inner Hamming(128,120).
#include <catch2/catch.hpp>

#include <cmath>

#include "phy/analysis/fec.hpp"

using namespace optilane;

namespace {

/// Direct binomial sum in plain doubles (no logs), valid where the terms do not underflow.
double binomial_tail(int n, int t, double p, bool weight_by_i) {
  double sum = 0.0;
  double c = 1.0;  // C(n, i), built incrementally
  for (int i = 0; i <= n; ++i) {
    if (i > 0) c = c * (n - i + 1) / i;
    if (i > t)
      sum += c * std::pow(p, i) * std::pow(1.0 - p, n - i) * (weight_by_i ? double(i) / n : 1.0);
  }
  return sum;
}

}  // namespace

TEST_CASE("KP4 post-FEC BER matches the binomial formula over 10-bit symbols, t = 15",
          "[phy][analysis][fec]") {
  // IEEE 802.3 cl. 91.5.2.7: RS(544,514), t = 15. p_s = 1 − (1 − p)^10;
  // SER_out = Σ_{i>15} (i/544) C(544,i) p_s^i (1−p_s)^{544−i}; BER_out = SER_out · p / p_s.
  for (double ber : {1e-3, 5e-4, 2.4e-4}) {
    const double ps = 1.0 - std::pow(1.0 - ber, 10);
    const double expected = binomial_tail(544, 15, ps, true) * ber / ps;
    CHECK(rs_post_fec_ber(ber) == Approx(expected).epsilon(1e-6));
    CHECK(rs_codeword_failure(ber) == Approx(binomial_tail(544, 15, ps, false)).epsilon(1e-6));
  }
  // At the 2.4e-4 threshold the output is far below 1e-12 (the frame loss ratio budget).
  CHECK(rs_post_fec_ber(2.4e-4) < 1e-12);
  CHECK(rs_post_fec_ber(0.0) == 0.0);
}

TEST_CASE("Hamming(128,120) hard decision: BER_out ≈ C(128,2)p²·2/128 at small p",
          "[phy][analysis][fec]") {
  // Leading term of Σ_{i≥2} C(128,i)p^i(1−p)^{128−i}(i+[i odd])/128 is the double error.
  const double p = 1e-5;
  CHECK(hamming_128_120_post_ber(p) ==
        Approx(128.0 * 127.0 / 2.0 * p * p * 2.0 / 128.0).epsilon(1e-3));
  // Concatenated: at the inner proposal threshold the outer KP4 input is below its own threshold.
  CHECK(hamming_128_120_post_ber(inner_fec_soft_threshold_ber) >
        2.4e-4);                                   // hard decision: conservative
  CHECK(hamming_128_120_post_ber(1e-3) < 2.4e-4);  // hard-decision threshold ≈ 1.4e-3
  CHECK(concatenated_post_fec_ber(1e-3) < 1e-12);
}

TEST_CASE(
    "Soft-decision concatenated 802.3dj FEC hands KP4 its 2.4e-4 threshold at the cited 4.8e-3 "
    "and beats the hard-decision decoder",
    "[phy][analysis][fec]") {
  // Hard-decision threshold of the inner code: about 1.4e-3 (see fec.hpp).
  const double hard = hamming_128_120_hard_threshold_ber();
  CHECK(hard == Approx(1.4e-3).epsilon(0.1));
  CHECK(hamming_128_120_post_ber(hard) == Approx(2.4e-4).epsilon(1e-6));
  // At the soft threshold the post-FEC BER equals KP4's at its own threshold.
  CHECK(concatenated_post_fec_ber(inner_fec_soft_threshold_ber) ==
        Approx(rs_post_fec_ber(2.4e-4)).epsilon(1e-6));
  for (const double p : {1e-3, 3e-3, 4.8e-3}) {
    CHECK(concatenated_post_fec_ber(p) < concatenated_hard_post_fec_ber(p));
  }
  CHECK(concatenated_post_fec_ber(0.0) == 0.0);
}
