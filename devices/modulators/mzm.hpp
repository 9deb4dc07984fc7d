// `mzm`: silicon push-pull travelling-wave Mach-Zehnder modulator (carrier-depletion phase
// shifters).
//
// Equations:
//  - Vπ = VπL / L for the differential (push-pull) drive v.
//  - Electrode: travelling wave with RF field loss α(f) = α_ref·√(f/f_ref) (skin effect and
//    junction loading), optical/RF index mismatch Δn; the drive seen by the light, averaged over
//    the electrode (Ghione, "Semiconductor Devices for High-Speed Optoelectronics", §8; Yariv &
//    Yeh):
//      H(f) = (1 − e^{−γL}) / (γL),  γ = α(f) + j2πfΔn/c.
//    Velocity-matched (Δn = 0) its EO 3-dB point |H| = 1/√2 is at α(f)L = 0.7384 Np = 6.41 dB.
//  - Optical: push-pull gives a chirp-free field
//      E_out = E_in · √IL · sin(Δφ/2),  Δφ = θ_b + π·v_eff/Vπ,
//    so T = sin²(Δφ/2); quadrature θ_b = π/2 gives T = ½(1 + sin(π v/Vπ)) and PAM4 outer levels
//    compress: ES1 = ES2 = sin(πa/3)/sin(πa), a = V_pp/(2Vπ), RLM = 2 − 3·ES (IEEE 802.3
//    120D.3.1.2). The sine per sample is fast_sin (phy/fast_sin.hpp): within 8.9e-16 of sin,
//    absolute (a field error ≤ 1e-15 of E_in, far below any noise the chain adds).
//  - Pre-distortion (optional): the drive is mapped through v → (Vπ/π)·asin((2v/V_pp)·sin(πa))
//    so that equally spaced drive levels give equally spaced optical powers at quadrature.
//  - Power: the driver dissipates the drive's mean square in the termination,
//    P = ⟨v²⟩/R_term with ⟨v²⟩ = (V_pp/2)²·5/9 for equiprobable PAM4 (1 for NRZ), divided by the
//    driver's efficiency (category driver).
#pragma once

#include <complex>
#include <memory>
#include <span>

#include "phy/block.hpp"
#include "phy/filter_design.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct MzmParams {
  /// Modulation efficiency VπL, V·m. Default 1.8 V·cm, an assumption between the imec ISIPP50G
  /// 1.7 and the AMF 2.2 V·cm O-band devices (figures.md §2.3, S).
  double vpi_l_v_m = 0.018;
  /// Phase-shifter / electrode length, m. Default 3 mm, an assumption (no device length
  /// retrieved): Vπ = 6 V at the default VπL, and at the ≈ 1 dB/mm phase-shifter loss of
  /// figures.md §2.3 (U) an insertion loss inside the 2.1–4.6 dB of the devices listed there (S).
  double length_m = 3e-3;
  /// RF field loss of the electrode at rf_loss_frequency, dB/m. Default 2000 dB/m (20 dB/cm) at
  /// 50 GHz: chosen (D) so the closed-form EO bandwidth of a 3 mm electrode is ≈ 57 GHz, inside
  /// the 40–60 GHz production range (figures.md §2.3, U); it lumps junction loading and
  /// termination into the √f loss.
  double rf_loss_db_per_m = 2000.0;
  double rf_loss_frequency_hz = 50e9;
  /// RF minus optical group index, Δn. Default 0 (velocity matched).
  double index_mismatch = 0.0;
  /// Bias phase θ_b, rad. Default π/2 (quadrature).
  double bias_rad = 1.5707963267948966;
  /// Insertion loss, dB. Default 3 dB (figures.md §2.3: 2.1–4.6 dB for recent devices, S).
  double insertion_loss_db = 3.0;
  /// Nominal drive peak-to-peak swing (for pre-distortion and the driver power), V. Default 2 V,
  /// an assumption near the 1.8 Vppd of the Intel 224 Gb/s modulator (figures.md §2.3, S).
  double swing_v = 2.0;
  bool predistortion = false;
  /// Termination resistance, Ω. Default 50 Ω.
  double termination_ohm = 50.0;
  /// Driver efficiency (termination power over driver supply power). Default 0.25, an
  /// assumption (no driver datasheet retrieved): a linear driver with a back-terminated output
  /// delivers at most half its output power to the line, and its bias headroom halves that again.
  double driver_efficiency = 0.25;
  static MzmParams read(ParamReader& reader);
  bool operator==(const MzmParams&) const = default;
};

class Mzm final : public Block {
 public:
  explicit Mzm(const MzmParams& params);

  [[nodiscard]] std::string_view kind() const override { return "mzm"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  /// The noisy path and its noiseless twin drive the electrode with the same voltage wherever no
  /// noise was added before the modulator (a laser's noise is in the optical field, not the drive):
  /// the electrode FIR then runs once for both, and the transfer sin(Δφ/2) is evaluated once.
  /// Otherwise, the two process() calls.
  void process_twin(Signal& noisy, Block& twin, Signal& clean) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<Mzm>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] Domain output_domain(Domain /*input*/) const override { return Domain::optical; }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool supplies_carrier(bool /*has_carrier*/) const override { return false; }
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  [[nodiscard]] double vpi_v() const { return params_.vpi_l_v_m / params_.length_m; }
  /// Static power transmission (before insertion loss) for an effective drive v.
  [[nodiscard]] double transmission(double drive_v) const;
  /// The electrode response H(f) averaged over the length.
  [[nodiscard]] std::complex<double> electrode_response(double frequency_hz) const;
  /// The drive after optional pre-distortion.
  [[nodiscard]] double predistort(double drive_v) const;

 private:
  /// The transfer on the drive: `field` (and `twin_field`, when not empty) times the field
  /// factor at each sample's drive.
  void apply_transfer(std::span<const double> drive_v, std::span<std::complex<double>> field,
                      std::span<std::complex<double>> twin_field) const;
  /// The electrode's zero-phase FIR at this sample rate (designed once per process).
  [[nodiscard]] std::shared_ptr<const FirDesign> electrode_design(double sample_rate_hz) const;

  MzmParams params_;
  HeldFirFilter electrode_;  ///< the drive is a staircase when the source drives it directly
  double delay_samples_ = 0.0;
  int bits_per_symbol_ = 2;
};

/// Closed-form velocity-matched EO 3-dB bandwidth: α(f)·L = 0.7384 Np with α ∝ √f.
[[nodiscard]] double mzm_velocity_matched_bandwidth_hz(const MzmParams& params);

}  // namespace optilane
