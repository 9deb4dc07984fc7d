// `adc`: the receiver's analog-to-digital converter, as the sample-level block that feeds the DSP.
//
// Model (Walden, "Analog-to-digital converter survey and analysis", IEEE JSAC 17(4), 1999): an
// ADC of effective number of bits ENOB over a full scale FS (peak to peak) adds an error that is
// white, uniform over one effective step Δ = FS/2^ENOB and uncorrelated with the signal, of
// variance
//   σ_q² = Δ²/12 = FS² / (12·4^ENOB),
// which is what ENOB measures (SINAD = 6.02·ENOB + 1.76 dB for a full-scale sine). It is drawn
// as Gaussian noise of that variance (NoiseKind::quantization, so the noise budget and the
// noiseless twin see it as noise, not ISI), and the input is clipped to [offset − FS/2,
// offset + FS/2] (deterministic, on both twins). Sampling itself is left to the DSP stage, which
// picks one (or two, T/2) of the simulation's samples per symbol; the noise is added at every
// sample so that it is white at the simulation rate like the ADC's own error at its sample rate.
//
// Place it after the TIA (or the last analog block) and before ffe/dfe/mlse.
#pragma once

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct AdcParams {
  double enob = 6.0;          ///< effective bits, 1…16 (112G-class ADCs: 5–6.5, unverified)
  double full_scale_v = 0.8;  ///< peak-to-peak input range, V (> 0)
  double offset_v = 0.0;      ///< centre of the input range, V
  double node_m = 7e-9;       ///< CMOS node of the power model

  static AdcParams read(ParamReader& reader);
};

class AdcBlock final : public Block {
 public:
  explicit AdcBlock(const AdcParams& params);
  [[nodiscard]] std::string_view kind() const override { return "adc"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<AdcBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::quantization);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override {
    (void)has_carrier;
    return input == Domain::electrical
               ? std::string()
               : std::string("adc samples an electrical signal; place it after the TIA");
  }
  /// σ_q = FS/(√12·2^ENOB), V.
  [[nodiscard]] double quantization_rms_v() const;

 private:
  AdcParams params_;
};

}  // namespace optilane
