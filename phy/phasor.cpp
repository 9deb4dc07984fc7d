#include "phy/phasor.hpp"

#include <cmath>
#include <vector>

#include "phy/simd.hpp"

namespace optilane {
namespace {

// Taylor coefficients of sin d and cos d, (−1)ᵏ/(2k+1)! and (−1)ᵏ/(2k)!, rounded to double: the
// series by products (a division per term, nine per sample, was the loop's cost).
constexpr double s3 = -1.0 / 6.0, s5 = 1.0 / 120.0, s7 = -1.0 / 5040.0, s9 = 1.0 / 362880.0;
constexpr double c2 = -0.5, c4 = 1.0 / 24.0, c6 = -1.0 / 720.0, c8 = 1.0 / 40320.0,
                 c10 = -1.0 / 3628800.0;

/// out[j] = e^{ja}·exp(j(φ_j − a)) for the samples of one anchor's segment, φ_j held in
/// out[j].real() by the first pass. No branch and no carried dependency: the compiler vectorises
/// it (to AVX2 where the CPU has it: phy/simd.hpp).
OPTILANE_SIMD_CLONES void rotate_segment(std::complex<double>* out, std::size_t count,
                                         double anchor, double ca, double sa) {
  for (std::size_t j = 0; j < count; ++j) {
    const double d = out[j].real() - anchor;
    const double d2 = d * d;
    const double s = d + d * (d2 * (s3 + d2 * (s5 + d2 * (s7 + d2 * s9))));
    const double c = 1.0 + d2 * (c2 + d2 * (c4 + d2 * (c6 + d2 * (c8 + d2 * c10))));
    out[j] = {ca * c - sa * s, sa * c + ca * s};
  }
}

}  // namespace

void phasor_walk(std::span<const double> steps, double& phase,
                 std::span<std::complex<double>> out) {
  // Each sample is rotated from the last anchor, not from its predecessor: the samples are
  // independent of one another (no chain of complex products through the block), and the error
  // does not accumulate. Two passes: the serial one sums φ (into out[i].real()) and places the
  // anchors (exact cos and sin there); the second rotates each anchor's segment.
  thread_local std::vector<std::size_t> anchors;  // sample indices of the anchors in this call
  anchors.clear();
  const double first_anchor = phase;
  double anchor = phase;
  // φ in a local: through the reference, every store to out[i] might alias it, so the compiler
  // stored and reloaded φ in the serial sum's chain each sample (a store-to-load round trip per
  // add); the same additions in the same order.
  double phi = phase;
  std::size_t since = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    phi += steps[i];
    // φ − anchor: exact (Sterbenz) while the two are within a factor 2, else within half an ulp
    // of a |φ| below 2·phasor_series_step.
    const double d = phi - anchor;
    out[i] = {phi, 0.0};
    if (++since == phasor_anchor || !(std::abs(d) <= phasor_series_step)) {
      anchor = phi;
      since = 0;
      anchors.push_back(i);
    }
  }
  phase = phi;
  // The segment before the first anchor of this call rotates from the incoming phase.
  std::size_t begin = 0;
  double a = first_anchor, ca = std::cos(first_anchor), sa = std::sin(first_anchor);
  for (std::size_t k = 0; k <= anchors.size(); ++k) {
    const std::size_t end = k < anchors.size() ? anchors[k] : steps.size();
    rotate_segment(out.data() + begin, end - begin, a, ca, sa);
    if (k == anchors.size()) break;
    a = out[end].real();
    ca = std::cos(a);
    sa = std::sin(a);
    out[end] = {ca, sa};
    begin = end + 1;
  }
}

}  // namespace optilane
