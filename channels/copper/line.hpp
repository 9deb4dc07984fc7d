// Per-unit-length physics of copper transmission lines.
//
// Dielectric: Djordjevic–Sarkar wideband model (Djordjevic, Biljic, Likar-Smiljanic, Sarkar,
// "Wideband frequency-domain characterization of FR-4 and time-domain causality", IEEE Trans. EMC
// 43(4), 2001):  ε(ω) = ε∞ + Δε/(m2 − m1) · log10[(ω2 + jω)/(ω1 + jω)],  ω1 = 10^m1, ω2 = 10^m2
// rad/s. It is a continuous sum of Debye poles between ω1 and ω2, so ε(ω) is analytic in the lower
// half of the ω plane and obeys Kramers–Kronig: the line's impulse response is causal. Its loss
// tangent is nearly flat between the poles, like a laminate's Df. Fitted to one (Dk, Df) at f_ref.
//
// Conductor: skin-effect surface impedance Zs = (1 + j)·Rs, Rs = √(π f μ0 ρ) (Pozar, Microwave
// Engineering, eq. 1.131), joined to the DC resistance as Z = R_dc √(1 + j f/f0), which tends to
// R_dc at DC and to (1 + j) Rs/(2w) at high frequency (current on both faces of a strip of width
// w; ground-plane return and edge crowding are folded into the width, so w is an *effective*
// width). Roughness multiplies it by
//   Hammerstad–Jensen:  K = 1 + (2/π) atan(1.4 (Δ/δ)²), Δ the RMS roughness, δ = √(ρ/(π f μ0));
//   Huray snowball:     K = 1 + (3/2)·SR / (1 + δ/a + δ²/(2a²)), a the sphere radius and SR the
//                       ratio of the spheres' area to the flat area (Huray et al., "Impact of
//                       copper surface texture on loss", DesignCon 2010).
//
// Line: Z' = jωL + K·Z_cond, Y' = jω C_air ε(ω) with L and C_air set so the lossless odd-mode
// impedance at f_ref is Z_diff/2; γ = √(Z'Y'), Zc = 2√(Z'/Y') (differential). For a low-loss line
// α ≈ R/(2Z) + ω√ε'·tanδ/(2c): the dielectric part is 2.31·f[GHz]·Df·√Dk dB/inch, the rule in
// Bogatin, Signal and Power Integrity — Simplified, 3rd ed., §9.
//
// Stripline geometry (Pozar, Microwave Engineering, 4th ed., §3.7, eqs. 3.179–3.182; Wheeler's
// incremental-inductance rule for the conductor loss): a strip of width W and thickness t centred
// between planes b apart,
//   Z0 = 30π/√εr · b/(We + 0.441 b),  We = W − b (0.35 − W/b)² for W/b < 0.35 (else W),
//   α_c = 2.7e-3 · Rs εr Z0 / (30π (b − t)) · A  Np/m,   √εr Z0 < 120 Ω,
//   A = 1 + 2W/(b − t) + (1/π)·(b + t)/(b − t)·ln((2b − t)/t).
// α_c counts the strip and both planes. Our line carries R = K·Rs/(2 w_eff) (above), so the same
// loss needs w_eff = Rs/(4 Z0 α_c) — narrower than W because the planes' return current and the
// strip's edge crowding add loss. A loosely coupled differential pair (spacing ≳ 2W) has
// Z_odd ≈ Z0 of one line; a tighter pair is narrower for the same Z_odd and loses somewhat more.
//
// COM line (IEEE 802.3 Annex 93A.1.2.3, package and cable model; U: equation from recollection
// of the standard text, not retrieved): per mm,
//   γ(f) = γ0 + a1 (1 + j) √f + a2 [1 − j (2/π) ln f] f + j 2π f τ,   f in GHz, τ in ns/mm,
// whose a2 term carries the Hilbert-transform phase of a loss ∝ f, so it is causal too.
#pragma once

#include <complex>
#include <string>

#include "channels/copper/network.hpp"

namespace optilane {

inline constexpr double vacuum_permeability_h_per_m = 1.25663706212e-6;
/// Resistivity of annealed copper at 20 °C, Ω·m (IEC 60028).
inline constexpr double copper_resistivity_ohm_m = 1.7241e-8;

/// Djordjevic–Sarkar permittivity fitted to one (Dk, Df) point.
struct DjordjevicSarkar {
  double eps_inf = 1.0;
  double slope = 0.0;                              ///< Δε / (m2 − m1)
  double omega1 = 2.0 * 3.141592653589793 * 1e3;   ///< lower pole, rad/s
  double omega2 = 2.0 * 3.141592653589793 * 1e13;  ///< upper pole, rad/s (above any fs/2 used)

  /// Fits ε∞ and Δε so ε(2π f_ref) = Dk (1 − j Df).
  [[nodiscard]] static DjordjevicSarkar fit(double dk, double df, double f_ref_hz);
  /// Complex relative permittivity ε' − jε'' (e^{jωt} convention).
  [[nodiscard]] Cplx permittivity(double frequency_hz) const;
};

enum class RoughnessModel { none, hammerstad, huray };

struct Roughness {
  RoughnessModel model = RoughnessModel::hammerstad;
  double rms_m = 0.0;               ///< Hammerstad RMS roughness Δ
  double sphere_radius_m = 0.5e-6;  ///< Huray sphere radius a
  double surface_ratio = 0.0;       ///< Huray N·4πa²/A_flat

  /// The loss multiplier K(f) ≥ 1.
  [[nodiscard]] double factor(double frequency_hz) const;
};

/// Skin depth √(ρ / (π f μ0)), m.
[[nodiscard]] double skin_depth_m(double frequency_hz, double resistivity_ohm_m);

/// A differential stripline of a laminate.
struct StriplineSpec {
  double dk = 3.5;    ///< relative permittivity at f_ref
  double df = 0.002;  ///< loss tangent at f_ref
  double f_ref_hz = 10e9;
  double impedance_ohm = 100.0;  ///< differential impedance at f_ref (lossless)
  double width_m = 0.2e-3;       ///< effective strip width
  double thickness_m = 17.5e-6;  ///< copper thickness (½ oz)
  double resistivity_ohm_m = copper_resistivity_ohm_m;
  Roughness roughness;
};

/// Propagation constant (1/m) and differential characteristic impedance of a line at f.
struct LineConstants {
  Cplx gamma_per_m;
  Cplx zc_ohm;
};

class Stripline {
 public:
  explicit Stripline(const StriplineSpec& spec);
  [[nodiscard]] LineConstants at(double frequency_hz) const;
  /// The two-port of `length_m` of this line.
  [[nodiscard]] TwoPortNetwork network(double length_m, std::string description) const;
  [[nodiscard]] const DjordjevicSarkar& dielectric() const { return dielectric_; }
  /// Conductor and dielectric attenuation at f, Np/m (split of Re γ by the low-loss formula).
  [[nodiscard]] double conductor_attenuation_np_per_m(double frequency_hz) const;
  [[nodiscard]] double dielectric_attenuation_np_per_m(double frequency_hz) const;

 private:
  StriplineSpec spec_;
  DjordjevicSarkar dielectric_;
  double inductance_h_per_m_ = 0.0;
  double c_air_f_per_m_ = 0.0;
  double r_dc_ohm_per_m_ = 0.0;
  double f0_hz_ = 0.0;
  [[nodiscard]] Cplx conductor_impedance(double frequency_hz) const;
};

/// A stripline cross-section solved for an impedance (Pozar §3.7).
struct StriplineGeometry {
  double width_m = 0.0;  ///< physical strip width W for the impedance
  double effective_width_m =
      0.0;  ///< w_eff with Rs/(2 w_eff) = Pozar's α_c · 2 Z0 (strip + planes)
};

/// The strip width for a single-ended impedance `z0_ohm` between planes `plane_spacing_m` apart
/// (Pozar eqs. 3.179–3.182, thin-strip width formula; conductor loss with thickness t). Throws
/// ParameterError("plane_spacing") when √εr·Z0 ≥ 120 Ω (outside the loss formula's range) or the
/// spacing does not exceed the copper thickness.
[[nodiscard]] StriplineGeometry stripline_geometry(double z0_ohm, double dk, double plane_spacing_m,
                                                   double thickness_m);

/// The COM transmission line of IEEE 802.3 93A.1.2.3.
struct ComLineSpec {
  double gamma0_per_mm = 0.0;
  double a1_per_mm_rtghz = 0.0;  ///< √ns/mm
  double a2_per_mm_ghz = 0.0;    ///< ns/mm
  double tau_ns_per_mm = 6.141e-3;
  double zc_ohm = 100.0;  ///< differential characteristic impedance

  [[nodiscard]] Cplx gamma_per_mm(double frequency_hz) const;
  [[nodiscard]] TwoPortNetwork network(double length_m, std::string description) const;
};

}  // namespace optilane
