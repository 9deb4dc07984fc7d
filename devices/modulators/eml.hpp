// `eml`: the electro-absorption section of an electro-absorption modulated laser. The CW (DFB)
// section is the `laser` placed before it, which supplies the carrier.
//
// Equations (v the drive in V, positive v = less reverse bias):
//  - RC bandwidth of the EAM: one-pole low-pass on the drive, step-invariant discretisation
//    u[n] = u[n−1] + (1 − e^{−2π f_RC T})(v[n] − u[n−1]).
//  - Reverse bias V_r = V_bias − u.
//  - Absorption, exponential model (QCSE absorption edge; e.g. the fit of Cartledge & Christensen,
//    J. Lightwave Technol. 16(3), 1998, uses T(V) tabulated or an exponential of V):
//      T(V_r) = exp(−(max(V_r, 0)/V_0)^n),
//    with V_0 chosen so that T(V_bias − swing/2)/T(V_bias + swing/2) equals the set extinction
//    ratio: V_0 = ((V_hi^n − V_lo^n) / (ER_dB·ln10/10))^{1/n}. Or tabulated points (V_r, dB),
//    interpolated linearly in dB.
//  - Chirp: α(V_r) = α_0 + α_1·(V_r − V_bias); the phase follows the intensity as
//    dφ = (α/2)·d ln P (Koyama & Iga, J. Lightwave Technol. 6(1), 1988), integrated sample by
//    sample with the α of the sample.
//  - Insertion loss on top; power: photocurrent of the absorbed light times the reverse bias
//    (responsivity of absorbed light ≈ qλ/hc, unit quantum efficiency), category modulator.
#pragma once

#include <vector>

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct EmlParams {
  /// Static extinction ratio at `swing` about `bias`, dB. Default 6 dB, an assumption (no EML
  /// datasheet retrieved): 2.5 dB above the IEEE 802.3 minimum 3.5 dB (figures.md §1.2, V), the
  /// margin a static ER needs to leave a dynamic ER above it once bandwidth closes the eye.
  double extinction_ratio_db = 6.0;
  /// Drive peak-to-peak swing at which the extinction ratio is given, V. Default 1 V (the lane
  /// source's default swing).
  double swing_v = 1.0;
  /// DC reverse bias, V. Default 1.5 V, an assumption (no EML datasheet retrieved): it keeps the
  /// absorber reverse biased over the whole default 1 V swing (V_r from 1.0 to 2.0 V).
  double bias_v = 1.5;
  /// Exponent n of the absorption edge. Default 2, an assumption: the quantum-confined Stark
  /// shift of the absorption edge grows with the square of the field at low field, so the
  /// absorption exponent starts quadratically in V_r; use the table for a measured curve.
  double absorption_exponent = 2.0;
  /// Optional tabulated transmission: reverse voltages (V, increasing) and transmissions (dB).
  std::vector<double> table_voltage_v{};
  std::vector<double> table_transmission_db{};
  /// Chirp α at the bias. Default 0.5, an assumption (no measured value retrieved): EML α depends
  /// on bias and comes close to zero at some bias (figures.md §2.1, V, qualitative); a positive
  /// α at a moderate bias is the conservative sign for dispersion at λ < λ0.
  double chirp_alpha = 0.5;
  /// dα/dV_r, 1/V: α falls with reverse bias. Default −0.5 /V, an assumption: with the default
  /// α it puts the zero-chirp bias at 2.5 V, the qualitative behaviour of figures.md §2.1 (V).
  double chirp_alpha_slope_per_v = -0.5;
  /// RC 3-dB bandwidth, Hz. Default 40 GHz, an assumption (no 53 GBd EML datasheet retrieved):
  /// 0.75 × 53.125 GBd, above the 28 GHz of a lumped 25G-class EML (Opt. Express 20(11) 11806,
  /// 2012, V) and the 34 GHz of a 50 Gb/s 1.3-µm DML (figures.md §2.1 context).
  double bandwidth_hz = 40e9;
  /// Insertion loss (on-state, excluding absorption of the model), dB. Default 1 dB, an
  /// assumption (no EML datasheet retrieved) for the residual on-state absorber loss.
  double insertion_loss_db = 1.0;

  static EmlParams read(ParamReader& reader);
};

class Eml final : public Block {
 public:
  explicit Eml(const EmlParams& params);

  [[nodiscard]] std::string_view kind() const override { return "eml"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<Eml>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] Domain output_domain(Domain /*input*/) const override { return Domain::optical; }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool supplies_carrier(bool /*has_carrier*/) const override { return false; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  /// Static power transmission of the absorber (no insertion loss) at drive v.
  [[nodiscard]] double transmission(double drive_v) const;
  /// ln of it, from the model's own exponent (−(V_r/V_0)^n, the square as a product for n = 2)
  /// or the table's dB (·ln10/10): no logarithm of a rounded exponential.
  [[nodiscard]] double log_transmission(double drive_v) const;
  /// Chirp factor at drive v.
  [[nodiscard]] double chirp_alpha(double drive_v) const;
  /// V_0 of the exponential model.
  [[nodiscard]] double v0() const { return v0_; }

 private:
  EmlParams params_;
  double v0_ = 1.0;
  double rc_coefficient_ = 1.0;
  double state_v_ = 0.0;
  double phase_ = 0.0;
  double last_log_power_ = 0.0;
  bool started_ = false;
  double carrier_power_w_ = 0.0;  ///< last seen carrier power, for the power model
  double wavelength_m_ = 1311e-9;
};

}  // namespace optilane
