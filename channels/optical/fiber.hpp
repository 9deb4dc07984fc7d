// `fiber`: single-mode fibre — attenuation, chromatic dispersion and optional Kerr nonlinearity.
//
// Dispersion from the zero-dispersion wavelength λ0 and slope S0 (ITU-T G.652; figures.md §2.7):
//   D(λ) = (S0/4)·(λ − λ0⁴/λ³),   S(λ) = dD/dλ = (S0/4)·(1 + 3λ0⁴/λ⁴)
//   β2 = −D·λ²/(2πc),   β3 = (λ²/(2πc))²·(S + 2D/λ)
// at the lane's own wavelength (the carrier's, when a laser sets one). Linear propagation of the
// complex envelope over length L, with x(t) = ∫X(f)·e^{+j2πft}df (the FFTW sign convention; the
// conjugate of Agrawal's e^{−iωt}, Nonlinear Fiber Optics, 5th ed., eq. 2.3.43):
//   H(f) = 10^(−αL/20) · exp(−j·β2·ω²·L/2 − j·β3·ω³·L/6),  ω = 2πf,
// applied as a complex FIR (frequency sampling, truncated to hold all but 1e-12 of the impulse
// response's energy, delayed by half its length to be causal) by overlap-save, so the stream is
// exact across chunks. Above 0.6·fs/2 (beyond the signal: 4.8·Rs at 16 samples/symbol) the phase
// is tapered to 0 at fs/2 so the sampled response is smooth; |H| stays exact at every frequency.
// For a chirp-free intensity-modulated signal the small-signal power response is cos(β2·ω²·L/2),
// with nulls at f_k = √((2k+1)/(4π|β2|L)). Kerr (nonlinear: true): symmetric split-step over
// `steps` equal sections,
//   each section of length h: half the linear step (dispersion and loss over h/2),
//   E·exp(−jγ|E|²·h) with the power at the section's midpoint, the other half linear step
// (Agrawal NLFO §2.4.1; the sign of the phase follows the e^{+jωt} convention).
// Each half step is its own streaming FIR, so the split-step also streams exactly.
#pragma once

#include <limits>
#include <optional>
#include <string>

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct FiberParams {
  /// Length, m, >= 0. Required.
  double length_m = std::numeric_limits<double>::quiet_NaN();
  /// Attenuation, dB/m; absent: 0.4 dB/km below 1450 nm (IEEE link model for OS2, figures.md
  /// §2.7) and 0.28 dB/km above (cabled G.652/G.657 maximum at 1550 nm, §2.7).
  std::optional<double> attenuation_db_per_m = std::nullopt;
  /// Zero-dispersion wavelength λ0, m; absent: from `corner`.
  std::optional<double> zero_dispersion_wavelength_m = std::nullopt;
  /// G.652 corner when λ0 is absent: typical 1312 nm, min (least dispersion at O-band lanes above
  /// λ0: λ0 = 1324 nm), max (λ0 = 1300 nm). λ0 range 1300–1324 nm: figures.md §2.7.
  std::string corner = "typical";
  /// Zero-dispersion slope S0, s/m³. Default 0.092 ps/nm²/km (G.652 maximum, figures.md §2.7).
  double dispersion_slope_s_per_m3 = 0.092e3;
  /// Dispersion at the lane's wavelength, s/m²; when given it overrides λ0/S0 (β3 then 0).
  std::optional<double> dispersion_s_per_m2 = std::nullopt;
  /// Kerr nonlinearity by split-step.
  bool nonlinear = false;
  /// Nonlinear coefficient γ, 1/(W·m). Default 1.3 /W/km (standard SMF at 1550 nm, Agrawal NLFO
  /// §2.3; ≈ 1.6 /W/km at 1310 nm).
  double gamma_per_w_m = 1.3e-3;
  /// Split-step sections.
  int steps = 20;

  static FiberParams read(ParamReader& reader);
};

class FiberBlock final : public Block {
 public:
  explicit FiberBlock(const FiberParams& params);

  [[nodiscard]] std::string_view kind() const override { return "fiber"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<FiberBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  /// The fibre's loss at the lane's wavelength, α·L, at most max_loss_db: beyond it the received
  /// power (≈ 1 mW · 10^(−α·L/10)) leaves double precision's useful range in the noise and
  /// square-law terms, and no link closes there by hundreds of dB.
  void check_signal(const LaneContext& lane) const override;
  static constexpr double max_loss_db = 300.0;
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  [[nodiscard]] const FiberParams& params() const { return params_; }
  /// D at a wavelength, s/m² (ps/nm/km × 1e-6).
  [[nodiscard]] double dispersion_at(double wavelength_m) const;
  /// β2 at a wavelength, s²/m.
  [[nodiscard]] double beta2_at(double wavelength_m) const;
  [[nodiscard]] double attenuation_db_per_m(double wavelength_m) const;
  /// Total loss, dB, at the designed wavelength.
  [[nodiscard]] double loss_db() const { return loss_db_; }
  [[nodiscard]] double designed_wavelength_m() const { return wavelength_m_; }

 private:
  void design(double wavelength_m);
  [[nodiscard]] double zero_dispersion_wavelength_m() const;

  FiberParams params_;
  double wavelength_m_ = 0.0;
  double loss_db_ = 0.0;
  double delay_samples_ = 0.0;
  std::vector<ComplexFirFilter> sections_;  ///< 1 (linear) or 2·steps half steps
  double nonlinear_phase_per_w_ = 0.0;      ///< γ·h of one section
  double field_gain_ = 1.0;                 ///< applied once when linear without a FIR
};

}  // namespace optilane
