#include "phy/phasor.hpp"

#include <cmath>

namespace optilane {

void phasor_walk(std::span<const double> steps, double& phase,
                 std::span<std::complex<double>> out) {
  // Each sample is rotated from the last anchor, not from its predecessor: the samples are
  // independent of one another (no chain of complex products through the block), and the error
  // does not accumulate.
  double anchor = phase;
  double ca = std::cos(phase), sa = std::sin(phase);
  std::size_t since = 0;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    phase += steps[i];
    // φ − anchor: exact (Sterbenz) while the two are within a factor 2, else within half an ulp
    // of a |φ| below 2·phasor_series_step.
    const double d = phase - anchor;
    if (++since == phasor_anchor || !(std::abs(d) <= phasor_series_step)) {
      anchor = phase;
      ca = std::cos(phase);
      sa = std::sin(phase);
      since = 0;
      out[i] = {ca, sa};
      continue;
    }
    const double d2 = d * d;
    const double s =
        d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0 * (1.0 - d2 / 72.0))));
    const double c =
        1.0 -
        d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0 * (1.0 - d2 / 90.0))));
    out[i] = {ca * c - sa * s, sa * c + ca * s};
  }
}

}  // namespace optilane
