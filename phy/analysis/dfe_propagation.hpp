// DFE error propagation in the semi-analytic BER: a Markov chain over the recent decision errors.
//
// A D-tap DFE subtracts Σ_i b_i·g·s(â_{k−i}) from the equalised sample y_k (rx_dsp.hpp). With the
// decisions right this is the ideal feedback of the ISI model; after a wrong decision
// â_{k−i} = a_{k−i} + e_{k−i} (e in level steps, −(M−1) … M−1) the sample carries the extra term
//   y_k = y_k^ideal − Σ_i c_i·e_{k−i},   c_i = b_i·g·2/(M−1)  (the output step of one level),
// so the next decision sees its ISI + noise distribution shifted by δ(E) = −Σ_i c_i·e_{k−i}. The
// decision errors then form a Markov chain on the state E_k = (e_{k−1}, …, e_{k−D}) (Duttweiler,
// Mazo & Messerschmitt, "An upper bound on the error probability in decision-feedback
// equalization", IEEE Trans. Inf. Theory 20(4), 1974; Altekar & Beaulieu, "Upper bounds to the
// error probability of decision feedback equalization", IEEE Trans. Inf. Theory 39(1), 1993):
// with the current symbol a_k independent of the past (random data) and its ISI distribution the
// one measured with ideal feedback,
//   P(e_k = e | E) = Σ_l p_l · P(decide l + e | l, shifted by δ(E)),
// and the BER is the chain's stationary expectation of the bit errors per decision.
//
// Solution, by renewal on the error-free state Z = (0, …, 0): per visit to Z the chain leaves to
// the burst states with the error probability p_0 of ideal feedback, and the expected visits r(E)
// to each burst state E before it returns to Z (D correct decisions in a row) are the sum of the
// burst's state distributions m_n, m_0(E) = P(Z → E), m_{n+1} = m_n·T restricted to E ≠ Z, so
//   π(Z) = 1 / (1 + Σ_E r(E)),   BER = π(Z)·(β(Z) + Σ_E r(E)·β(E)) / log2 M,
// with β(E) the expected bit errors of the decision made in state E. The sum is exact for a
// 1-tap DFE (its burst states are the 2(M−1) single errors, iterated to a relative mass of 1e-13);
// for longer DFEs it enumerates the burst patterns and drops those whose probability falls below
// 1e-12 of the burst start (their share of the BER is below that figure times the burst length).
// For a binary 1+bD channel with a 1-tap DFE (c = 2b) it reduces to the two-state chain
//   P_e = p_0 / (1 + p_0 − p_1),  p_0 = Q(1/σ),  p_1 = ½[Q((1 − 2b)/σ) + Q((1 + 2b)/σ)]
// (test_dfe_propagation.cpp). Approximations, documented: the residual ISI of the current sample
// is taken independent of the past decisions' errors (its measured distribution is marginal over
// the past symbols), and so is the noise (the FFE colours it; the colouring's correlation with an
// error's noise is not carried).
//
// 1/(1+D) precoding (IEEE 802.3 cl. 120.5.7.2, the 802.3ck/dj host DFE mode): the receiver
// decodes d̂_k = (â_k + â_{k−1}) mod M, so the data error is (e_k + e_{k−1}) mod M and a burst of
// alternating slicer errors costs two data errors (its start and end). The bit errors of a
// transition are averaged over the previous level a_{k−1} equiprobable among those the error
// e_{k−1} allows (d_k = (a_k + a_{k−1}) mod M).
#pragma once

#include <functional>
#include <span>
#include <vector>

namespace optilane {

/// P(decide j | sent l) for a sample shifted by `shift` (output units): fills p[l·M + j] for all
/// l, j; the off-diagonal entries must be accurate in the tails (not 1 − Φ differences).
using DecisionProbabilities = std::function<void(double shift, std::span<double> p)>;

/// One state of the chain: the shift δ(E) it puts on the decision's sample and its stationary
/// probability π(E) (the error-free state Z: δ = 0, π(Z)).
struct DfeStateProbability {
  double shift = 0.0;
  double probability = 0.0;
};

struct DfePropagation {
  double ber = 0.0;
  double ser = 0.0;                     ///< data symbol errors per symbol
  double ber_ideal = 0.0;               ///< the same model with ideal feedback (β(Z) / log2 M)
  double error_free_probability = 1.0;  ///< π(Z)
  int burst_states = 0;                 ///< burst states visited
  /// π(E) of Z and of every burst state visited, largest first; Σ = 1 up to the pruned paths.
  /// The expected value of any per-decision quantity f(δ) is Σ_E π(E)·f(δ(E)).
  std::vector<DfeStateProbability> states;
};

/// The chain's BER for feedback steps c_1 … c_D (c_i = b_i·g·2/(M−1), output units per level
/// step of e_{k−i}), level probabilities p_l (M), and the decision probabilities of the ISI +
/// noise distribution measured with ideal feedback.
[[nodiscard]] DfePropagation dfe_error_propagation(std::span<const double> feedback,
                                                   std::span<const double> level_probability,
                                                   int levels, bool precoding,
                                                   const DecisionProbabilities& decide);

/// P(x + n lands in region j) for Gaussian noise σ about x, thresholds t (M − 1, increasing):
/// the regions below x from Φ, those above from Q, so both tails keep their precision.
/// `tabulated`: the tails from GaussianTailTable (relative error ≤ its bound, 3.0e-7) instead of
/// erfc, and a tail beyond the table's end (|z| ≥ 13) taken as 0 (absolute error < Q(13) =
/// 6.1e-39 per tail: far below the 1e-12-of-the-burst-start pruning of the chain that uses it). A
/// region between two thresholds is a difference of tails, Q(a) − Q(b) with b − a the threshold
/// spacing over σ; its relative error is then ≤ bound·(Q(a) + Q(b))/(Q(a) − Q(b)).
void gaussian_region_probabilities(double x, double sigma, std::span<const double> thresholds,
                                   std::span<double> p, bool tabulated = false);

}  // namespace optilane
