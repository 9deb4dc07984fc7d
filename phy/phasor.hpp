// Unit phasors of a random-walk phase (laser phase noise), without a sincos per sample.
//
// out[i] = exp(jφ_i), φ_i = φ_{i−1} + δ_i. Computed from an anchor a (the exact cos a, sin a) as
// u_i = e^{ja}·exp(j(φ_i − a)), with sin and cos of d = φ_i − a from their Taylor series to d⁹ and
// d¹⁰ by Horner's rule on the coefficients rounded to double (for |d| ≤ 0.05 the first omitted
// terms, d¹¹/11! and d¹²/12!, are below 1.2e-22: below the rounding of the sum); the anchor moves
// to φ_i every `phasor_anchor` samples and whenever |φ_i − a| would exceed 0.05. Each sample is one
// rotation of the anchor (no chain of products, so the samples are independent and the error does
// not grow along the block): a few ε of the exact value, well inside `phasor_error_bound`. φ itself
// is summed exactly as a per-sample loop would, so the walk's statistics are untouched.
#pragma once

#include <complex>
#include <cstddef>
#include <span>

namespace optilane {

/// Samples between exact re-anchorings.
inline constexpr std::size_t phasor_anchor = 64;
/// Largest |φ_i − a| (rad) taken by the series; beyond it the anchor moves.
inline constexpr double phasor_series_step = 0.05;
/// Bound on |u_i − exp(jφ_i)|. The rotation from the anchor adds a few ε (ε = 2.2e-16); the bound
/// is the one the earlier chained rotation guaranteed (64 rotations of ≤ 4ε each, rounded up).
inline constexpr double phasor_error_bound = 1e-13;

/// Fills out[i] = exp(jφ_i) for φ_i = φ_{i−1} + steps[i], starting from φ_{−1} = `phase`; on return
/// `phase` holds the last φ. `out` has the size of `steps`.
void phasor_walk(std::span<const double> steps, double& phase, std::span<std::complex<double>> out);

}  // namespace optilane
