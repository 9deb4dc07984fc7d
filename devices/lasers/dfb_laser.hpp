// `laser` of kind dfb: a single-mode DFB laser by its rate equations, with Langevin noise, usable
// directly modulated (optical output with its transient and adiabatic chirp) or as a CW carrier.
//
// Rate equations in carrier number N and photon number P (Agrawal, "Fiber-Optic Communication
// Systems", 3rd ed., §3.5, eqs. 3.5.1–3.5.3 and 3.5.7–3.5.10):
//   dN/dt = I/q − N/τ_c − G·P + F_N
//   dP/dt = (G − 1/τ_p)·P + R_sp + F_P
//   dφ/dt = ½·α·(G_N(N − N_0) − 1/τ_p) + F_φ
//   G = G_N(N − N_0)/(1 + εP)       (gain compression ε, per photon)
//   R_sp = β·N/τ_c                  (spontaneous emission coupled into the mode, fraction β)
// Langevin forces, white, ⟨F_i(t)F_j(t')⟩ = 2D_ij δ(t − t') with
//   2D_PP = 2R_sp·P,  2D_NN = 2(R_sp·P + N/τ_c),  2D_NP = −2R_sp·P,  2D_φφ = R_sp/(2P).
// Output power of the front facet P_out = η_out·hν·P/τ_p; field E = √P_out·e^{jφ}: the phase
// term carries the transient chirp (dN/dt through α) and, with ε > 0, the adiabatic chirp.
//
// Closed forms (β → 0; Agrawal §3.5):
//   threshold  I_th = q·(N_0 + 1/(G_N τ_p))/τ_c
//   slope      dP_out/dI = η_out·(hν/q) / (1 + ε/(G_N τ_c))        (exact with ε, β = 0)
//   relaxation Ω_R² = G·G_N·P/(1 + εP) (approximately), from the Jacobian J of the deterministic
//              system: ω_R² = det J, damping Γ_R = −tr J, ringing at √(det J − Γ_R²/4);
//   RIN(f) = 2·S_PP(f)/P̄² (one-sided), S = (jωI − J)⁻¹·2D·(jωI − J)⁻ᴴ, peaking near f_R;
//   linewidth Δν = R_sp(1 + α²)/(4πP) (Henry 1982).
//
// Integrator: each sample period T is split into n = ⌈T/(τ_p/2)⌉ substeps of dt; a substep is a
// classical RK4 step of the deterministic part (boost::numeric::odeint::runge_kutta4) followed by
// the Euler–Maruyama increment √dt·L·ξ of the Langevin forces (L the Cholesky factor of 2D at the
// state at the start of the step; ξ independent N(0,1) from the block's noise stream). This
// split scheme is strong order ½ in the noise and order 4 in the drift; the noise is additive to
// first order so it does not bias the mean. The drive current is held over each sample.
#pragma once

#include <array>

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct DfbParams {
  /// Defaults G_N, N_0, τ_p, τ_c: the 1.55-µm InGaAsP laser of Agrawal, Fiber-Optic Communication
  /// Systems, 3rd ed. (Wiley, 2002), §3.5 and Table 3.1 — G_N 5.6e3 /s, N_0 1e8, τ_p 1.6 ps,
  /// τ_c 2.2 ns (textbook values; no copy of the table was retrieved to re-check them). A
  /// retrieved rate-equation set of the same kind agrees to within 20–40 %: τ_p 1.93 ps, τ_c
  /// 2.04 ns, N_0 1.4e18 cm⁻³ (Sci. Rep. 12 (2022), doi:10.1038/s41598-022-12155-y, Table 1).
  double gain_coefficient_per_s = 5.6e3;  ///< G_N, 1/s per carrier
  double transparency_carriers = 1e8;     ///< N_0
  double photon_lifetime_s = 1.6e-12;     ///< τ_p
  double carrier_lifetime_s = 2.2e-9;     ///< τ_c
  /// Gain compression ε per photon. Default 1e-7 (D): the nonlinear-gain parameter 1.0e-17 cm³ of
  /// Carroll, Whiteaway & Plumb, Distributed Feedback Semiconductor Lasers (IEE/SPIE, 1998), Table
  /// A11.1 (https://www.globalspec.com/reference/34965/203279/), over the 1e-10 cm³ active volume
  /// (250 × 2 × 0.2 µm) of Agrawal's Table 3.1 laser, taking the photon density as P/V (with the
  /// confinement factor, ΓP/V, it would be 3e-8; the retrieved Sci. Rep. set gives 2.5e-7).
  double gain_compression = 1e-7;
  /// Spontaneous-emission coupling β. Default 1.3e-5 (D): R_sp = β·N/τ_c equals n_sp/τ_p at
  /// threshold with the textbook population-inversion factor n_sp = 2 (Agrawal, 3rd ed., §3.5).
  double spontaneous_coupling = 1.3e-5;
  /// Linewidth enhancement (alpha) factor. Default 3.0: α_H of the DFB laser of Carroll,
  /// Whiteaway & Plumb, Table A11.1, and α of Sci. Rep. 12 (2022), Table 1 (both retrieved).
  double alpha = 3.0;
  /// Fraction of the cavity loss leaving the front facet, η_out = α_m/(2(α_m + α_int)). Default
  /// 0.265 (D: α_m = 45 /cm, α_int = 40 /cm, Agrawal, 3rd ed., Table 3.1, textbook).
  double output_coupling = 0.265;
  /// Bias current, A. Default 40 mA (≈ 2.6·I_th).
  double bias_current_a = 0.04;
  /// Drive transconductance: I_mod = v / R, Ω. Default 50 Ω (a 50-Ω driver into the laser).
  double drive_resistance_ohm = 50.0;
  /// Forward voltage for the power model, V. Default 1.5 V: an assumption (no DFB datasheet was
  /// retrieved) — the 0.95 V photon energy at 1310 nm plus ≈ 14 Ω of series resistance at 40 mA.
  double forward_voltage_v = 1.5;
  double tec_power_w = 0.0;
  /// true: directly modulated by the electrical signal, optical output; false: a CW carrier for a
  /// downstream modulator.
  bool direct_modulation = true;
  /// Optional wavelength (absent: the lane's), m.
  double wavelength_m = 0.0;

  static DfbParams read(ParamReader& reader);
};

/// State of the rate equations: carrier number, photon number, phase (rad).
using DfbState = std::array<double, 3>;

struct DfbSmallSignal {
  double relaxation_frequency_hz = 0.0;  ///< √det J / 2π
  double damping_rate_per_s = 0.0;       ///< −tr J
  double ringing_frequency_hz = 0.0;     ///< √(det J − γ²/4) / 2π
};

/// Closed-form threshold current (β → 0), A.
[[nodiscard]] double dfb_threshold_current_a(const DfbParams& p);
/// Closed-form slope efficiency above threshold (β → 0, with gain compression), W/A.
[[nodiscard]] double dfb_slope_efficiency_w_per_a(const DfbParams& p, double wavelength_m);
/// Steady state at current I, by integrating the deterministic equations to rest.
[[nodiscard]] DfbState dfb_steady_state(const DfbParams& p, double current_a);
/// Small-signal response at current I (Jacobian at the steady state).
[[nodiscard]] DfbSmallSignal dfb_small_signal(const DfbParams& p, double current_a);
/// Agrawal's approximate closed form Ω_R/2π = √(G·G_N·P/(1+εP))/2π at current I, Hz.
[[nodiscard]] double dfb_relaxation_frequency_closed_form_hz(const DfbParams& p, double current_a);
/// Linearised Langevin RIN spectrum at current I, one-sided, 1/Hz.
[[nodiscard]] double dfb_rin_spectrum_per_hz(const DfbParams& p, double current_a,
                                             double frequency_hz);
/// The same at a known steady state (avoids re-solving it for each frequency).
[[nodiscard]] double dfb_rin_spectrum_per_hz(const DfbParams& p, const DfbState& steady,
                                             double frequency_hz);
/// Schawlow–Townes–Henry linewidth at current I, Hz.
[[nodiscard]] double dfb_linewidth_hz(const DfbParams& p, double current_a);

class DfbLaser final : public Block {
 public:
  explicit DfbLaser(const DfbParams& params);

  [[nodiscard]] std::string_view kind() const override { return "laser"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<DfbLaser>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::rin) | static_cast<unsigned>(NoiseKind::phase);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] Domain output_domain(Domain input) const override {
    return params_.direct_modulation ? Domain::optical : input;
  }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool supplies_carrier(bool /*has_carrier*/) const override {
    return !params_.direct_modulation;
  }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  /// Output power for a photon number, W.
  [[nodiscard]] double output_power_w(double photons) const;
  [[nodiscard]] const DfbState& state() const { return state_; }
  [[nodiscard]] int substeps() const { return substeps_; }

 private:
  DfbParams params_;
  double wavelength_m_ = 0.0;
  DfbState steady_{};
  DfbState state_{};
  int substeps_ = 1;
  double dt_ = 0.0;
};

}  // namespace optilane
