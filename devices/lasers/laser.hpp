// `laser` of kind cw or els: a continuous-wave source (a DFB or an External Laser Source feeding a
// photonic IC through fibre) that supplies the carrier of a downstream modulator.
//
// Output field E(t) = √(P_out·(1 + δ(t))) · exp(jφ(t)), with
//  - P_out = P_laser · η_c, η_c = 10^(−coupling_loss/10) (ELS fibre coupling; 1 for kind cw);
//  - δ(t) the relative intensity noise: zero-mean Gaussian with one-sided PSD RIN(f) =
//  RIN_0·|H(f)|²,
//    H = 1 (flat) or the relaxation-oscillation resonance H(f) = f_r² / (f_r² − f² + j f γ/2π)
//    (Coldren, Corzine & Mashanovitch, "Diode Lasers and Photonic Integrated Circuits", 2nd ed.,
//    §5.5: the RIN of a single-mode laser follows the modulation response with its peak near f_r).
//    White δ sampled at fs has per-sample variance RIN_0·fs/2 (one-sided convention).
//  - φ(t) a Wiener process: φ[n] = φ[n−1] + N(0, 2π·Δν·T), the phase noise of a Lorentzian line of
//    full width Δν (Henry, IEEE JQE 18(2), 1982). exp(jφ) by rotation, within 1e-13 of the exact
//    phasor (phy/phasor.hpp).
// Electrical power: P_laser / WPE + P_TEC (category laser).
//
// The laser leaves chunk.domain electrical (the electrical buffer is the modulator's drive), fills
// chunk.optical with the carrier and sets has_carrier (docs/developing.md, Signal conventions).
// `make_laser` reads `kind` and builds this block or the rate-equation DFB (dfb_laser.hpp).
#pragma once

#include <limits>
#include <memory>
#include <optional>

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

enum class RinShape { flat, relaxation };

struct LaserParams {
  bool els = false;  ///< kind els: an External Laser Source coupled into fibre
  /// Optical power leaving the laser (before ELS fibre coupling), W. Default 50 mW (17 dBm), an
  /// assumption (no CW DFB datasheet retrieved): inside the OIF ELSFP output classes 11–26 dBm
  /// (figures.md §2.2, V) and twice the > 25 mW per channel of the DFB array of Nie et al., Chin.
  /// Opt. Lett. 23, 071406 (2025), doi:10.3788/COL202523.071406 (V).
  double power_w = 0.05;
  /// Emission wavelength, m; absent → the lane's wavelength.
  std::optional<double> wavelength_m{};
  /// One-sided RIN at low frequency, dB/Hz. Default −150 dB/Hz, an assumption (no single-mode
  /// CW DFB RIN figure retrieved): 14 dB under the IEEE 802.3 transmitter limit RIN21.4OMA
  /// ≤ −136 dB/Hz (figures.md §1.2, V), so the source alone never uses the RIN allowance; the
  /// retrieved multi-wavelength QD sources sit at −135 to −138 dB/Hz (§2.2, V).
  double rin_db_per_hz = -150.0;
  RinShape rin_shape = RinShape::flat;
  /// Relaxation-oscillation frequency of the RIN shape, Hz. Default 10 GHz, an assumption (no CW
  /// DFB figure retrieved): a laser biased several times above threshold; it places the RIN peak
  /// inside the 26.6 GHz Nyquist band of 53.125 GBd, the pessimistic side for IM/DD.
  double relaxation_frequency_hz = 10e9;
  /// Damping rate γ of the RIN shape, 1/s. Default 3.2e10 /s = K·f_r² at the default f_r, with
  /// the K factor 0.32 ns of the universal damping–resonance relation measured on 1.3-µm InGaAsP
  /// lasers ("Universal relationship between resonant frequency and damping rate of 1.3 µm
  /// InGaAsP semiconductor lasers",
  /// https://scilit.com/publications/c72b8bbdfb334566276eb8c49ff3966b).
  double damping_rate_per_s = 3.2e10;
  /// Full-width linewidth Δν, Hz. Default 1 MHz, an assumption (no CW DFB datasheet retrieved):
  /// above the retrieved 716 kHz of a 1.3-µm QD laser (Wan et al., Laser Photonics Rev.,
  /// https://optoelectronics.ece.ucsb.edu/index.php/node/884) and 140 kHz of the Innolume comb
  /// (figures.md §2.2, V); phase noise matters in IM/DD only through dispersion.
  double linewidth_hz = 1e6;
  /// Wall-plug efficiency P_laser / P_electrical. Default 0.2, an assumption (no CW DFB
  /// datasheet retrieved): below the > 30 % peak, ex-facet figure of the Innolume QD comb laser
  /// (figures.md §2.2, V), allowing for operation at 50–60 °C away from the efficiency peak.
  double wall_plug_efficiency = 0.2;
  /// Thermo-electric cooler power, W. Default 0 (uncooled).
  double tec_power_w = 0.0;
  /// ELS fibre-coupling loss, dB (kind els only). Default 1.25 dB = 75 % coupling to PM fibre of
  /// the Innolume QD comb laser (figures.md §2.2, V).
  double coupling_loss_db = 1.25;

  static LaserParams read(ParamReader& reader, bool els);
};

class Laser final : public Block {
 public:
  explicit Laser(const LaserParams& params);

  [[nodiscard]] std::string_view kind() const override { return "laser"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<Laser>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::rin) | static_cast<unsigned>(NoiseKind::phase);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool supplies_carrier(bool /*has_carrier*/) const override { return true; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  /// Power delivered at the output (after ELS coupling), W.
  [[nodiscard]] double output_power_w() const;
  /// The set one-sided RIN spectrum RIN_0·|H(f)|², 1/Hz.
  [[nodiscard]] double rin_spectrum_per_hz(double frequency_hz) const;
  [[nodiscard]] double wavelength_m() const { return wavelength_m_; }
  [[nodiscard]] const LaserParams& params() const { return params_; }

 private:
  LaserParams params_;
  double wavelength_m_ = 0.0;
  RealFirFilter rin_filter_;  ///< shapes white δ by H(f) (relaxation shape only)
  std::vector<double> delta_;
  std::vector<double> steps_;  ///< phase steps of one chunk, rad
  double phase_ = 0.0;
};

/// Reads `kind` and builds a `laser` of kind cw, els or dfb.
[[nodiscard]] std::unique_ptr<Block> make_laser(ParamReader& reader);

}  // namespace optilane
