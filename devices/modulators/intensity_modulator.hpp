// `intensity_modulator`: an ideal modulator to isolate effects (DESIGN.md §3). Linear in power and
// chirp-free: with the drive v (V) optionally band-limited by a 4th-order Bessel-Thomson response,
//   T(v) = (1 + 1/ER)/2 + (v / V_swing)·(1 − 1/ER),  clamped to [0, 1],
//   E_out = E_in · √(T(v) · 10^(−IL/10)),
// so a drive swinging ±V_swing/2 gives the set extinction ratio ER exactly, and the field keeps the
// carrier's phase (no chirp).
#pragma once

#include <limits>
#include <optional>

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct IntensityModulatorParams {
  /// Extinction ratio at the nominal swing, dB. Default 6 dB (between the IEEE 802.3 minimum of
  /// 3.5 dB, figures.md §1.2 V, and typical static EML values 5–8 dB, §2.1 U).
  double extinction_ratio_db = 6.0;
  /// Drive peak-to-peak swing that spans the extinction ratio, V. Default 1 V, the lane source's
  /// default swing.
  double swing_v = 1.0;
  /// Insertion loss, dB. Default 0 (ideal).
  double insertion_loss_db = 0.0;
  /// Optional 3-dB bandwidth of the drive (Bessel-Thomson, 4th order), Hz. Absent: unlimited.
  std::optional<double> bandwidth_hz{};

  static IntensityModulatorParams read(ParamReader& reader);
};

class IntensityModulator final : public Block {
 public:
  explicit IntensityModulator(const IntensityModulatorParams& params);

  [[nodiscard]] std::string_view kind() const override { return "intensity_modulator"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<IntensityModulator>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] Domain output_domain(Domain /*input*/) const override { return Domain::optical; }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] bool supplies_carrier(bool /*has_carrier*/) const override { return false; }
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }

  /// Static power transmission (before insertion loss) for drive v.
  [[nodiscard]] double transmission(double drive_v) const;

 private:
  IntensityModulatorParams params_;
  RealFirFilter filter_;
  double delay_samples_ = 0.0;
};

/// The explanation every modulator gives when no laser carrier reaches it (empty when fine).
[[nodiscard]] std::string modulator_input_problem(std::string_view name, Domain input,
                                                  bool has_carrier);

}  // namespace optilane
