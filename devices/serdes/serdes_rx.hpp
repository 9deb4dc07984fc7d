// `serdes_rx`: the host SerDes receiver's analog front end — input-referred noise, the receiver
// bandwidth and the CTLE of the IEEE 802.3 COM reference receiver (Annex 93A.1.4.3; 802.3ck adds
// the low-frequency pole/zero pair, 120F/162/163):
//
//   H_ctle(f) = [g + j f/f_z] / [(1 + j f/f_p1)(1 + j f/f_p2)] · [g2 + j f/f_lf] / [1 + j f/f_lf],
//   g = 10^(g_DC/20), g2 = 10^(g_DC2/20), g_DC ∈ [−20, 0] dB, g_DC2 ∈ [−6, 0] dB,
//   f_z = f_p1 = f_b/2.5, f_p2 = f_b, f_lf = f_b/80 (802.3ck KR values, U: recalled),
//
// so the peaking (high-frequency over DC gain, when f_z = f_p1) is −g_DC − g_DC2 dB. The receiver
// bandwidth is a 4th-order Butterworth at f_r = 0.58 f_b (802.3dj COM, figures.md §4, V). Noise:
// white, one-sided density η0 = 6e-9 V²/GHz at the input (802.3dj COM, figures.md §4, V), added
// before the filters so it is shaped by them as in COM (NoiseKind::thermal).
//
// Hand-off to the receiver DSP (issue 6): this block's output is the continuous-time, CTLE-
// equalised waveform at the full sample rate. The discrete-time equalisers and timing — `ffe`,
// `dfe`, `cdr`, `adc` — are separate blocks placed after `serdes_rx` in the chain; without them
// the lane's slicer analysis picks the optimum sampling phase and thresholds on this waveform.
// The CTLE's DC gain is set here (`ctle_dc_gain`), not optimised; a COM-style search over the
// range belongs with the equaliser optimisation of the DSP blocks.
// Power: the reach class's energy per bit × bit rate × (1 − Tx share).
#pragma once

#include <complex>

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

struct CtleSpec {
  double dc_gain_db = 0.0;   ///< g_DC, [−20, 0]
  double dc_gain2_db = 0.0;  ///< g_DC2, [−6, 0]
  double f_z_hz = 0.0;
  double f_p1_hz = 0.0;
  double f_p2_hz = 0.0;
  double f_lf_hz = 0.0;

  /// H_ctle(f) of the header's equation.
  [[nodiscard]] std::complex<double> response(double frequency_hz) const;
  /// The 802.3ck pole/zero frequencies for a symbol rate.
  [[nodiscard]] static CtleSpec com(double symbol_rate_bd, double dc_gain_db, double dc_gain2_db);
};

struct SerdesRxParams {
  std::string reach = "mr";
  double ctle_dc_gain_db = 0.0;
  double ctle_dc_gain2_db = 0.0;
  double bandwidth_ratio = 0.58;  ///< f_r / f_b; 0: no receiver filter
  double noise_density_v2_per_hz = 6e-18;

  static SerdesRxParams read(ParamReader& reader);
};

class SerdesRxBlock final : public Block {
 public:
  explicit SerdesRxBlock(const SerdesRxParams& params);

  [[nodiscard]] std::string_view kind() const override { return "serdes_rx"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override { filter_.reset(); }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<SerdesRxBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::thermal);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] double latency_samples() const override { return latency_; }
  [[nodiscard]] const CtleSpec& ctle() const { return ctle_; }
  /// The front end's whole response (CTLE × receiver filter) at f.
  [[nodiscard]] std::complex<double> response(double frequency_hz) const;
  [[nodiscard]] const std::vector<double>& taps() const { return filter_.taps(); }

 private:
  SerdesRxParams params_;
  CtleSpec ctle_;
  RealFirFilter filter_;
  double latency_ = 0.0;
};

}  // namespace optilane
