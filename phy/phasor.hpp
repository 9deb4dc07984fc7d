// Unit phasors of a random-walk phase (laser phase noise), without a sincos per sample.
//
// out[i] = exp(jφ_i), φ_i = φ_{i−1} + δ_i. Computed by rotation, u_i = u_{i−1}·exp(jδ_i), with
// sin δ and cos δ from their Taylor series to δ⁹ and δ¹⁰ (for |δ| ≤ 0.05 the first omitted
// terms, δ¹¹/11! and δ¹²/12!, are below 1.2e-22: below the rounding of the sum), and re-anchored
// to the exact (cos φ, sin φ) every `phasor_anchor` samples and after any larger step. Each
// rotation adds at most ~4 ε of relative error, so |u_i − exp(jφ_i)| ≤ phasor_anchor·4ε ≈ 5.7e-14;
// φ itself is summed exactly as a per-sample loop would, so the walk's statistics are untouched,
// and each rotation turns by φ's rounded increment, so the bound holds however far φ has walked.
#pragma once

#include <complex>
#include <cstddef>
#include <span>

namespace optilane {

/// Samples between exact re-anchorings of the rotation.
inline constexpr std::size_t phasor_anchor = 64;
/// Largest step |δ| (rad) taken by the series; larger steps re-anchor.
inline constexpr double phasor_series_step = 0.05;
/// Bound on |u_i − exp(jφ_i)|: phasor_anchor rotations of ≤ 4ε each (ε = 2.2e-16), rounded up.
inline constexpr double phasor_error_bound = 1e-13;

/// Fills out[i] = exp(jφ_i) for φ_i = φ_{i−1} + steps[i], starting from φ_{−1} = `phase`; on return
/// `phase` holds the last φ. `out` has the size of `steps`.
void phasor_walk(std::span<const double> steps, double& phase, std::span<std::complex<double>> out);

}  // namespace optilane
