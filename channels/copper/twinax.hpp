// `twinax`: a shielded twinaxial cable (DAC, flyover). Loss per metre a√f + b·f (dB/m, f in GHz)
// fitted per gauge, propagated with the causal COM line form of IEEE 802.3 93A.1.2.3
// (channels/copper/line.hpp): γ = a1(1+j)√f + a2[1 − j(2/π)ln f]f + j2πfτ, so the cable's
// impulse response is causal and its phase is the minimum phase of that loss.
//
// Gauge fits (D, from ../shared/reference/figures.md §4, "practical 5–7.5 dB/m (26 AWG) and
// 8–10 dB/m (30 AWG) at 26.56 GHz; 8–10 / 11–14 dB/m at 53.1 GHz"): the mid-points solved for a
// and b. 26 AWG: 6.25 dB/m @ 26.56 GHz and 9.0 dB/m @ 53.1 GHz → a = 1.158 dB/m/√GHz,
// b = 0.0105 dB/m/GHz. 30 AWG: the ranges' ratio is below √2, so b is small: a = 1.72, b = 0.002
// (8.92 and 12.64 dB/m at the two frequencies). Velocity 0.70 c (foamed dielectric, U).
#pragma once

#include <limits>

#include "channels/copper/copper_block.hpp"
#include "channels/copper/line.hpp"
#include "phy/params.hpp"

namespace optilane {

struct TwinaxParams {
  int gauge_awg = 26;
  double length_m = std::numeric_limits<double>::quiet_NaN();  ///< required, ≥ 0
  double a_db_per_m_rtghz = 1.158;                             ///< √f coefficient (gauge default)
  double b_db_per_m_ghz = 0.0105;                              ///< f coefficient (gauge default)
  double impedance_ohm = 100.0;                                ///< differential
  double delay_s_per_m = 1.0 / (0.70 * 299'792'458.0);

  static TwinaxParams read(ParamReader& reader);
  /// Default (a, b) of a gauge (26 or 30 AWG).
  static std::pair<double, double> gauge_fit(int gauge_awg);
  [[nodiscard]] ComLineSpec line() const;
};

class TwinaxBlock final : public CopperBlock {
 public:
  explicit TwinaxBlock(const TwinaxParams& params);
  [[nodiscard]] std::string_view kind() const override { return "twinax"; }
  [[nodiscard]] TwoPortNetwork network() const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<TwinaxBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

 private:
  TwinaxParams params_;
};

}  // namespace optilane
