// `photodetector`: optical field → photocurrent (A), PIN or APD, with shot noise and bandwidth.
//
//   i(t) = h_PD ∗ [ M·R·(|E(t)|² + P_d) + n_shot(t) ],  P_d·R = I_d (primary dark current)
//   n_shot: white, one-sided PSD S = 2q·M²·F(M)·(R·|E(t)|² + I_d)  (A²/Hz), evaluated per sample
//           (signal-dependent), per-sample variance S·fs/2 before the response h_PD.
//   F(M) = k_A·M + (1 − k_A)·(2 − 1/M)  (McIntyre, IEEE Trans. Electron Devices 13, 164 (1966));
//           F = 1 for a PIN (M = 1).
// After h_PD (DC gain 1, noise-equivalent bandwidth B_n) the shot-noise variance of a constant
// current I is 2q·M²F·I·B_n (Agrawal, Fiber-Optic Communication Systems, 4th ed., eq. 4.4.5).
// h_PD is a Butterworth response of order 1 (RC-limited) or 2, or absent (`bandwidth` not given).
// `ideal: true` gives R·|E|² exactly: no dark current, no noise, no bandwidth limit.
#pragma once

#include <limits>
#include <optional>

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct PhotodetectorParams {
  /// Responsivity R, A/W, (0, 2]. Default 0.8 A/W: Ge waveguide PD at 1310 nm, 0.8–0.9 A/W on
  /// chip (figures.md §2.5, simulator default; 0.82 A/W measured, CPL 2020).
  double responsivity_a_per_w = 0.8;
  /// Primary dark current I_d, A, >= 0. Default 10 nA (figures.md §2.5: 10–50 nA for a Ge WG-PD).
  double dark_current_a = 10e-9;
  /// 3-dB bandwidth, Hz; absent = no bandwidth limit. Default absent (the TIA usually dominates).
  std::optional<double> bandwidth_hz = std::nullopt;
  /// Order of the (Butterworth) response, 1 (RC) or 2.
  int order = 1;
  /// APD multiplication gain M, >= 1 (1 = PIN).
  double apd_gain = 1.0;
  /// APD ionisation-coefficient ratio k_A in [0, 1] for F(M) (Ge/Si APDs ≈ 0.1–0.2; unused at M=1).
  double ionization_ratio = 0.1;
  /// Ideal detector: R·|E|² only.
  bool ideal = false;

  static PhotodetectorParams read(ParamReader& reader);
};

class PhotodetectorBlock final : public Block {
 public:
  explicit PhotodetectorBlock(const PhotodetectorParams& params);

  [[nodiscard]] std::string_view kind() const override { return "photodetector"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<PhotodetectorBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::shot);
  }
  [[nodiscard]] Domain output_domain(Domain input) const override {
    (void)input;
    return Domain::electrical;
  }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  [[nodiscard]] const PhotodetectorParams& params() const { return params_; }
  /// Excess-noise factor F(M).
  [[nodiscard]] double excess_noise_factor() const;
  /// One-sided noise-equivalent bandwidth of the response (fs/2 without a bandwidth limit), Hz.
  [[nodiscard]] double noise_bandwidth_hz() const { return noise_bandwidth_hz_; }

 private:
  PhotodetectorParams params_;
  RealFirFilter response_;  ///< empty without a bandwidth limit
  double delay_samples_ = 0.0;
  double noise_bandwidth_hz_ = 0.0;
  double shot_scale_ = 0.0;  ///< per-sample variance per ampere of primary current: q·M²F·fs
};

}  // namespace optilane
