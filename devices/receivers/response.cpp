#include "devices/receivers/response.hpp"

#include <cmath>
#include <numeric>

#include "phy/units.hpp"

namespace optilane {

FirDesign receiver_response(FilterShape shape, double bandwidth_hz, int order,
                            double sample_rate_hz) {
  FirDesign design;
  if (order == 1) {
    const double a = std::exp(-2.0 * pi * bandwidth_hz / sample_rate_hz);
    for (double tap = 1.0 - a; tap > 1e-13 * (1.0 - a); tap *= a) design.taps.push_back(tap);
  } else {
    design = design_analog_fir(
        FilterSpec{.shape = shape, .bandwidth_hz = bandwidth_hz, .order = order}, sample_rate_hz);
  }
  const double sum = std::accumulate(design.taps.begin(), design.taps.end(), 0.0);
  double moment = 0.0;
  for (std::size_t n = 0; n < design.taps.size(); ++n) {
    design.taps[n] /= sum;
    moment += static_cast<double>(n) * design.taps[n];
  }
  design.delay_samples = moment;
  return design;
}

}  // namespace optilane
