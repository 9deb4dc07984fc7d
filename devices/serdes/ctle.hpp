// `ctle`: a stand-alone continuous-time linear equaliser — the IEEE 802.3 COM reference CTLE
// (Annex 93A.1.4.3, with 802.3ck's low-frequency pole/zero pair) as its own block, for an
// equaliser outside a SerDes receiver: a linear redriver, the CTLE of a linear (LPO) TIA or
// driver, or a study of the CTLE alone. The same transfer function as `serdes_rx`'s
// (devices/serdes/serdes_rx.hpp):
//
//   H(f) = [g + j f/f_z] / [(1 + j f/f_p1)(1 + j f/f_p2)] · [g2 + j f/f_lf] / [1 + j f/f_lf],
//   g = 10^(g_DC/20), g2 = 10^(g_DC2/20),
//
// so |H(0)| = g·g2 and, for f_z = f_p1 and f_lf ≪ f ≪ f_p2, |H(f)| → 1: the peaking is
// −g_DC − g_DC2 dB. Pole and zero frequencies default to COM's fractions of the symbol rate f_b
// (f_z = f_p1 = f_b/2.5, f_p2 = f_b, f_lf = f_b/80; the 802.3ck values, U: recalled, as in
// serdes_rx) and can each be set. No noise (a CTLE's own noise belongs to the stage it sits in:
// serdes_rx's η0, the TIA's input noise); power `power` (default 0: part of the stage it sits in).
// Applied as a causal FIR (phy/filter_design.hpp, design_analog_fir) on the electrical signal.
#pragma once

#include <complex>
#include <optional>

#include "devices/serdes/serdes_rx.hpp"
#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct CtleParams {
  double dc_gain_db = 0.0;                             ///< g_DC, [−20, 0] dB
  double dc_gain2_db = 0.0;                            ///< g_DC2, [−6, 0] dB
  std::optional<double> zero_hz = std::nullopt;        ///< f_z; default f_b/2.5
  std::optional<double> pole1_hz = std::nullopt;       ///< f_p1; default f_b/2.5
  std::optional<double> pole2_hz = std::nullopt;       ///< f_p2; default f_b
  std::optional<double> low_corner_hz = std::nullopt;  ///< f_lf; default f_b/80
  double power_w = 0.0;

  static CtleParams read(ParamReader& reader);
};

class CtleBlock final : public Block {
 public:
  explicit CtleBlock(const CtleParams& params);

  [[nodiscard]] std::string_view kind() const override { return "ctle"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override { filter_.reset(); }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<CtleBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] double latency_samples() const override { return latency_; }
  /// The transfer function at f (valid after prepare: the defaults follow the symbol rate).
  [[nodiscard]] std::complex<double> response(double frequency_hz) const {
    return spec_.response(frequency_hz);
  }
  [[nodiscard]] const CtleSpec& spec() const { return spec_; }
  /// 20·log10 of the largest |H(f)| for f ≤ f_b over |H(0)|, dB (after prepare). −g_DC − g_DC2
  /// for COM's default poles and zero (less the poles' roll-off), any value with overrides.
  [[nodiscard]] double peaking_db() const;
  [[nodiscard]] const std::vector<double>& taps() const { return filter_.taps(); }

 private:
  CtleParams params_;
  CtleSpec spec_;
  RealFirFilter filter_;
  double latency_ = 0.0;
};

}  // namespace optilane
