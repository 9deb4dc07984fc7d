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
  /// Fraction of the sampled response's impulse energy left outside the taps: by Parseval the
  /// mean-square error of the FIR's response over the band, relative to the response's mean
  /// square. design_analog_fir keeps it ≤ its energy tolerance; plain design_fir can exceed it
  /// (its causal pre-response is capped at 64 samples, and the taps at `max_taps`).
  double dropped_energy = 0.0;
};

/// Designs a real FIR whose response matches `response` (Hermitian: H(−f) = conj H(f)) at sample
/// rate fs, by frequency sampling on a fine grid and truncation to the shortest window holding all
/// but `energy_tolerance` of the impulse response's energy (capped at `max_taps`). Exact for a
/// response that is real and smooth at fs/2 (the zero-phase shapes); an analog response should
/// use design_analog_fir (below), which says why.
[[nodiscard]] FirDesign design_fir(const std::function<std::complex<double>(double)>& response,
                                   double sample_rate_hz, bool zero_phase,
                                   double energy_tolerance = 1e-10, std::size_t max_taps = 8192);

/// Convenience: the FIR of a FilterSpec by plain frequency sampling (an analog shape keeps its
/// exact phase up to fs/2, and with it the 1/n ring of design_analog_fir's note).
[[nodiscard]] FirDesign design_fir(const FilterSpec& spec, double sample_rate_hz);

/// The window of design_analog_fir's correction and of the fibre's dispersive phase: 1 for
/// |f| ≤ 0.6·fs/2, a raised cosine to 0 at fs/2.
[[nodiscard]] double nyquist_phase_window(double frequency_hz, double sample_rate_hz);

/// A causal FIR for an analog (rational) response such as a Butterworth or Bessel low-pass, by
/// design_fir's frequency sampling of H_w(f) = H(f) − j·Im H(fs/2)·(1 − w(f)), w =
/// nyquist_phase_window (odd in f, so H_w stays Hermitian). Why: the response of a sampled signal
/// is periodic in fs, and an analog H is not real at fs/2 (an order-2 Butterworth at 32 GHz,
/// fs = 850 GHz: H(fs/2) = −5.6e-3 − 6.0e-4j), so its periodic extension jumps by 2j·Im H(fs/2)
/// there. That jump is a ring h[n] ≈ (−1)ⁿ·Im H(fs/2)/(π n) on both sides of the response, whose
/// energy beyond n falls only as 1/n: a 1e-10 energy tolerance then needs thousands of taps (the
/// 8,192-tap cap for a Bessel-4 at 45 GHz, fs = 425 GHz) for a response that is over within ~100
/// samples, and the pre-response, capped at 64 samples, still drops up to 1e-4 of the energy.
/// Subtracting the imaginary part at fs/2 with a smooth ramp removes the jump: H is kept exactly
/// (complex: magnitude, phase, group delay) below 0.3·fs, and above it |H_w − H| ≤ |Im H(fs/2)|
/// (6e-4 for that Butterworth; 8e-3 for that Bessel), reached only at fs/2; the ring then decays
/// as 1/n² from the kink of Re H at fs/2. (The former variant, |H|·exp(j·w·φ) with φ H's phase,
/// kept |H| exactly but moved H by up to |H(0.3·fs)|, 0.045 for that Bessel, and was longer.)
/// Truncation: all but `energy_tolerance` of the impulse energy is kept, pre-response and tail
/// together (FirDesign::dropped_energy ≤ it; Parseval: the mean-square error of the response
/// over the band is at most that fraction of its mean square). For any analog response (the
/// transmitter's Bessel-Thomson drivers and DAC, the laser's RIN resonance, the SerDes
/// receiver's CTLE × Butterworth, the receiver's TIA, TDECQ's Bessel-Thomson reference
/// receiver); not for the zero-phase shapes (ideal filters, exact by plain frequency sampling),
/// nor for a response whose slow decay is physical (the MZM electrode's √f skin effect). Throws
/// for a zero-phase shape.
[[nodiscard]] FirDesign design_analog_fir(const FilterSpec& spec, double sample_rate_hz,
                                          double energy_tolerance = 1e-10);

/// The same for any causal analog response (Hermitian: H(−f) = conj H(f)), e.g. a rational
/// transfer function that FilterSpec does not name. Not cached (the caller keys its own designs).
[[nodiscard]] FirDesign design_analog_fir(
    const std::function<std::complex<double>(double)>& response, double sample_rate_hz,
    double energy_tolerance = 1e-10, std::size_t max_taps = 8192);

/// The FIR a chain should use for a FilterSpec: design_analog_fir for the analog (causal) shapes,
/// design_fir for the zero-phase ones (an ideal response, symmetric about its centre tap).
[[nodiscard]] FirDesign design_filter_fir(const FilterSpec& spec, double sample_rate_hz);

/// One-sided noise-equivalent bandwidth ∫_0^{fs/2} |H(f)|² df / |H(0)|² of FIR taps at rate fs
/// (Parseval: = fs/2 · Σ h² / (Σ h)²).
[[nodiscard]] double noise_bandwidth_hz(const std::vector<double>& taps, double sample_rate_hz);

}  // namespace optilane
