// `serdes_tx`: the host SerDes transmitter.
//
//   y = DAC_filter( swing · Σ_i c_i x(t − (i − pre)·T) / Σ|c_i| ) + jitter + quantisation + SNR_TX
//
// - Tx FFE: taps c = [c(−pre) … c(0) … c(post)] at symbol spacing T, normalised so Σ|c_i| = 1
//   (IEEE 802.3 COM convention, 93A.1.4.3: the main tap is 1 − Σ|other taps|); the peak output
//   then equals the swing. The input is the source's levels (outer ±0.5 V for signal.swing 1 V);
//   `swing` is the output's peak-to-peak differential swing for a 1 V source swing.
// - DAC/driver bandwidth: a 4th-order Bessel-Thomson response (phy/filter_design.hpp), off when
//   `dac_bandwidth` is not set.
// - Jitter: each symbol's edge moves by δ_k = σ_RJ·N(0,1) + A_SJ·sin(2π f_SJ kT); applied to the
//   band-limited waveform to first order, y(t − δ) ≈ y(t) − δ·y'(t) with a central difference
//   (one sample of latency). Valid for δ well below the rise time (NoiseKind::jitter).
// - DAC quantisation: ENOB bits over the full swing, σ_q = swing / 2^ENOB / √12, additive
//   Gaussian (NoiseKind::quantization); off when `enob` is 0.
// - Transmitter SNR: additive Gaussian noise σ² = P_levels / 10^(SNR_TX/10), P_levels the mean
//   square of the ideal PAM levels at the output (NoiseKind::other). Default 33 dB, the
//   802.3ck/dj COM SNR_TX (figures.md §4, V).
// Power: the reach class's energy per bit × bit rate × Tx share (devices/serdes/reach_class.hpp).
#pragma once

#include <vector>

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct SerdesTxParams {
  std::string reach = "mr";
  std::vector<double> ffe{0.0, 1.0, 0.0};  ///< taps in time order
  int pre_taps = 1;                        ///< taps before the main one
  double swing_v = 1.0;                    ///< differential peak-to-peak output swing
  double dac_bandwidth_hz = 0.0;           ///< 0: ideal DAC
  double enob = 0.0;                       ///< 0: no quantisation noise
  double rj_s = 0.0;                       ///< RMS random jitter
  double sj_s = 0.0;                       ///< sinusoidal jitter amplitude (peak)
  double sj_frequency_hz = 0.0;
  double snr_db = 33.0;  ///< transmitter SNR; ≥ 200: off

  static SerdesTxParams read(ParamReader& reader);
};

class SerdesTxBlock final : public Block {
 public:
  explicit SerdesTxBlock(const SerdesTxParams& params);

  [[nodiscard]] std::string_view kind() const override { return "serdes_tx"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<SerdesTxBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::jitter) | static_cast<unsigned>(NoiseKind::other) |
           static_cast<unsigned>(NoiseKind::quantization);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] double latency_samples() const override { return latency_; }
  /// The normalised FFE taps in use.
  [[nodiscard]] const std::vector<double>& taps() const { return taps_; }

 private:
  SerdesTxParams params_;
  std::vector<double> taps_;
  RealFirFilter ffe_;
  RealFirFilter dac_;
  double latency_ = 0.0;
  double level_rms_v_ = 0.0;
  double prev1_ = 0.0, prev2_ = 0.0;  ///< last two samples for the jitter derivative
};

}  // namespace optilane
