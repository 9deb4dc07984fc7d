#include <catch2/catch.hpp>

#include <cmath>
#include <complex>
#include <limits>
#include <vector>

#include "phy/phasor.hpp"
#include "phy/random.hpp"

using namespace optilane;

TEST_CASE(
    "Phasor walk stays within its error bound of exp(jφ) over long walks, small and large "
    "steps, and sums φ exactly",
    "[phy][phasor]") {
  // Steps of a 1 MHz line at 850 GSa/s (σ = 2.7e-3 rad), of a 100 MHz line (σ = 0.027 rad, where
  // steps beyond 0.05 rad re-anchor), and a walk far from φ = 0.
  for (const auto& [sigma, start] :
       {std::pair{2.7e-3, 0.0}, std::pair{2.7e-2, 0.0}, std::pair{2.7e-3, 1234.5}}) {
    INFO("sigma " << sigma << ", start " << start);
    RandomStream rng(21);
    std::vector<double> steps(200000);
    for (double& d : steps) d = sigma * rng.gaussian();
    std::vector<std::complex<double>> out(steps.size());
    double phase = start;
    // In two calls, as a block streams chunks.
    const std::size_t half = 77777;
    phasor_walk(std::span(steps).first(half), phase, std::span(out).first(half));
    phasor_walk(std::span(steps).subspan(half), phase, std::span(out).subspan(half));
    double exact_phase = start;
    double worst = 0.0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
      exact_phase += steps[i];
      worst = std::max(worst, std::abs(out[i] - std::polar(1.0, exact_phase)));
    }
    CHECK(phase == exact_phase);
    CHECK(worst <= phasor_error_bound);
    // The header's "a few ε": the anchor's cos and sin (½ ε each), the series (~1 ε), the
    // rotation's products and sums (~1 ε), and the reference std::polar's own ~1 ε.
    CHECK(worst <= 4.0 * std::numeric_limits<double>::epsilon());
  }
}
