#include "phy/phasor.hpp"

#include <cmath>

namespace optilane {

void phasor_walk(std::span<const double> steps, double& phase,
                 std::span<std::complex<double>> out) {
  double re = std::cos(phase), im = std::sin(phase);
  for (std::size_t i = 0; i < steps.size(); ++i) {
    // The step actually taken: φ's rounding at large |φ| drops low bits of steps[i], and the
    // rotation must follow φ as summed (the difference of the two sums is exact).
    const double previous = phase;
    phase += steps[i];
    const double d = phase - previous;
    if ((i + 1) % phasor_anchor == 0 || !(std::abs(d) <= phasor_series_step)) {
      re = std::cos(phase);
      im = std::sin(phase);
    } else {
      const double d2 = d * d;
      const double s =
          d * (1.0 - d2 / 6.0 * (1.0 - d2 / 20.0 * (1.0 - d2 / 42.0 * (1.0 - d2 / 72.0))));
      const double c =
          1.0 -
          d2 / 2.0 * (1.0 - d2 / 12.0 * (1.0 - d2 / 30.0 * (1.0 - d2 / 56.0 * (1.0 - d2 / 90.0))));
      const double r = re * c - im * s;
      im = re * s + im * c;
      re = r;
    }
    out[i] = {re, im};
  }
}

}  // namespace optilane
