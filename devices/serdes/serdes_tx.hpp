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
// - Jitter: each symbol's edge moves by δ_k = σ_RJ·N(0,1) ± A_DD + A_SJ·sin(2π f_SJ kT), the
//   sign of the dual-Dirac term equiprobable and independent per symbol; applied to the
//   band-limited waveform to first order, y(t − δ) ≈ y(t) − δ·y'(t) with a central difference
//   (one sample of latency), δ_k held over the UI centred on symbol k's edge (the edge sits at
//   k·T plus the DAC filter's delay). Valid for δ well below the rise time (NoiseKind::jitter).
//   At the slicer this is the COM jitter term (802.3 Annex 93A.1.6): a symbol's pulse h(t − kT)
//   moved by δ_k adds −δ_k·h'(t − kT), so the amplitude noise is Σ_n δ_{k−n} s_{k−n} h'(t_s + nT)
//   with variance σ_X²(σ_RJ² + A_DD²)Σ_n h_J(n)², h_J the equalised pulse's slope per UI; on a
//   linear ramp of slope s, σ = s·σ_RJ and the DD term is exactly ±s·A_DD. The semi-analytic BER
//   and the statistical eye take the measured variance as Gaussian: COM's figure-of-merit
//   treatment of A_DD; COM's final PDF keeps the dual Dirac, ½[Q((a−d)/σ) + Q((a+d)/σ)], which
//   equals the Gaussian of the same variance to second order in d/σ (both are Q(a) + ½d²aφ(a));
//   the Gaussian is pessimistic beyond: at a = 3.5σ (KP4) by 1.3 % in BER at d = 0.2σ, 5 % at
//   0.3σ, 26 % at 0.5σ (tests/devices/serdes/test_serdes_impairments.cpp). Monte-Carlo draws
//   the real ±A_DD.
//   802.3ck/dj COM: σ_RJ = 0.01 UI, A_DD = 0.02 UI (figures.md §4, V).
// - DAC quantisation: ENOB bits over the full swing, σ_q = swing / 2^ENOB / √12, additive
//   Gaussian (NoiseKind::quantization); off when `enob` is 0.
// - Transmitter SNR (SNDR): Gaussian noise n_k, one value per UI held over the symbol, added to
//   the symbol's level ahead of the FFE, with σ_n² = σ_X² / 10^(SNR_TX/10), σ_X² the mean
//   square of the PAM levels (NoiseKind::other). It then passes the FFE, the DAC filter and the
//   whole channel exactly as a symbol does, which is COM's σ_TX² = σ_X² 10^(−SNR_TX/10) Σ_n h(n)²
//   (802.3dj, receiver FFE; 802.3ck keeps only h(0)²) — channels/copper/com.hpp. (It was white
//   noise over 0…f_s/2 before, of which the receiver's ~0.6·f_b bandwidth kept ~1/(2·sps·0.6)
//   of the power: ~8 dB too little at 16 samples/UI.) Default 33 dB, the 802.3ck/dj COM SNR_TX
//   (figures.md §4, V).
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
  double dd_s = 0.0;     ///< dual-Dirac jitter A_DD (each edge at ±A_DD)
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
  int edge_offset_ = 0;               ///< samples from k·T to symbol k's edge (DAC delay)
  double input_level_rms_ = 0.0;      ///< σ_X of the source's levels at the input
  /// Symbol k's own random stream: the same draws whatever the chunking or thread count.
  [[nodiscard]] RandomStream symbol_stream(std::int64_t k, std::uint64_t substream) const;
};

}  // namespace optilane
