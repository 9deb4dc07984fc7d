// Plain filter responses usable anywhere in a chain, and FIR design from a frequency response.
//
// Responses, with f the frequency and B the 3-dB bandwidth unless stated:
//  - Bessel-Thomson of order n: H(s) = θ_n(0)/θ_n(s/ω_0), θ_n the reverse Bessel polynomial
//    θ_n(s) = Σ_k (2n−k)! / (2^(n−k) k! (n−k)!) s^k, with ω_0 scaled so |H(j2πB)|² = 1/2
//    (the reference receiver of IEEE 802.3 clause 121.8.5 is a 4th-order Bessel-Thomson).
//  - Butterworth of order n: |H|² = 1/(1 + (f/B)^(2n)), poles e^{jπ(2k+n+1)/(2n)}.
//  - Gaussian: H(f) = exp(−(ln 2 / 2)(f/B)²), zero phase (|H|² = 1/2 at B).
//  - Raised cosine with roll-off β, B its 6-dB frequency (Rs/2 for a Nyquist pulse): 1 for
//    |f| ≤ (1−β)B, ½[1 + cos(π(|f| − (1−β)B)/(2βB))] up to (1+β)B, 0 beyond (Proakis, Digital
//    Communications, 5th ed., eq. 9.2-26).
//  - Brick-wall: 1 for |f| ≤ B.
// The analog (Bessel, Butterworth) responses are causal; the others are zero-phase and are made
// causal by a delay of half the FIR length.
#pragma once

#include <complex>
#include <functional>
#include <string_view>
#include <vector>

namespace optilane {

enum class FilterShape { bessel, butterworth, gaussian, raised_cosine, brick_wall };

[[nodiscard]] FilterShape parse_filter_shape(std::string_view name);
[[nodiscard]] std::string_view filter_shape_name(FilterShape shape);

struct FilterSpec {
  FilterShape shape = FilterShape::bessel;
  double bandwidth_hz = 0.0;  ///< 3-dB bandwidth (6-dB for raised cosine)
  int order = 4;              ///< Bessel and Butterworth order, 1..10
  double rolloff = 0.5;       ///< raised-cosine roll-off β, 0..1
};

/// H(f) of the filter at frequency f (Hz, may be negative: H(−f) = conj(H(f))).
[[nodiscard]] std::complex<double> filter_response(const FilterSpec& spec, double frequency_hz);

/// True when the shape is zero-phase (needs a delay to be causal).
[[nodiscard]] bool is_zero_phase(FilterShape shape);

/// A real FIR filter and the delay it adds.
struct FirDesign {
  std::vector<double> taps;
  double delay_samples = 0.0;  ///< group delay at DC (causal) or the centre tap (zero-phase)
};

/// Designs a real FIR whose response matches `response` (Hermitian: H(−f) = conj H(f)) at sample
/// rate fs, by frequency sampling on a fine grid and truncation to the shortest window holding all
/// but `energy_tolerance` of the impulse response's energy (capped at `max_taps`).
[[nodiscard]] FirDesign design_fir(const std::function<std::complex<double>(double)>& response,
                                   double sample_rate_hz, bool zero_phase,
                                   double energy_tolerance = 1e-10, std::size_t max_taps = 8192);

/// Convenience: the FIR of a FilterSpec.
[[nodiscard]] FirDesign design_fir(const FilterSpec& spec, double sample_rate_hz);

/// One-sided noise-equivalent bandwidth ∫_0^{fs/2} |H(f)|² df / |H(0)|² of FIR taps at rate fs
/// (Parseval: = fs/2 · Σ h² / (Σ h)²).
[[nodiscard]] double noise_bandwidth_hz(const std::vector<double>& taps, double sample_rate_hz);

}  // namespace optilane
