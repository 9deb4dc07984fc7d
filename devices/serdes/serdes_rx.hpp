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
// Crosstalk (NoiseKind::crosstalk): the power sum of the NEXT/FEXT aggressors at the receiver
// input, given as its integrated crosstalk noise σ_ICN — the RMS of the crosstalk through the ICN
// reference receiver, a 4th-order Butterworth at f_r = 0.75·f_b (802.3 cable-assembly ICN, e.g.
// 92.10.7; the weighting's aggressor spectrum is (A²/f_b)·sinc²(f/f_b), U: recalled). Model: the
// aggressors' sum is Gaussian (many aggressors; ICN is an RMS) with that spectrum: a PAM
// aggressor at the victim's rate is a sequence held over its UI, whose spectrum is the sinc²;
// its phase against the victim's sampling instant is random (other lanes' clocks), so the
// phase average is used — the stationary process with the same spectrum, a moving sum of the
// last `sps` white samples, (1/√sps)·Σ_{j<sps} w[n−j]. (A fixed phase made the crosstalk at the
// slicer, and so the reach, ripple with the channel's delay.) It is scaled so its RMS through
// the ICN filter is σ_ICN, then added at the input with η0's noise so the CTLE, receiver filter
// and FFE shape it. The coupling is taken flat with frequency (real FEXT/NEXT rise with f:
// optimistic where the CTLE peaks). At
// the slicer it is σ_XT² = σ_h² Σ_n g(n)², g the aggressor pulse through the receiver; COM's
// crosstalk term (Annex 93A.1.6, aggressor channels at amplitude A_fe/A_ne) in its Gaussian form.
// Without the aggressor S-parameters (the IEEE NEXT/FEXT files are not in ../shared/channels)
// this is the only default that works; σ_XT enters the semi-analytic BER and the statistical eye
// through the noise measured at the slicer, as η0 does.
//
// The COM reference receiver's noise and jitter terms (802.3 Annex 93A.1.6/93A.1.7; 802.3ck
// clauses 162/163 use Annex 93A, 802.3dj Annex 178A; formulas in channels/copper/com.hpp, values
// in com.cpp shared_com_params/com_params_802_3ck/3dj) and where the host link carries them:
//   term                          802.3ck (53.125 GBd)      802.3dj (106.25 GBd)   here
//   σ_RJ, random jitter           0.01 UI (D: = dj)         0.01 UI (V)            serdes_tx `rj`
//   A_DD, dual-Dirac jitter       0.02 UI (D: = dj)         0.02 UI (V)            serdes_tx `dj`
//   SNR_TX (Tx SNDR)              33 dB (V)                 33 dB (V)              serdes_tx `snr`
//   η0, Rx noise density          8.2e-9 V²/GHz (V)         6e-9 V²/GHz (V)        `noise_density`
//   f_r, Rx noise filter          0.75·f_b (U)              0.58·f_b (V) `bandwidth_ratio`
//   crosstalk                     NEXT/FEXT channels at A_ne, A_fe (dj: 0.45, 0.413 V, V);
//                                 ICN for cable assemblies                          `crosstalk`
//   DER0 (detector error ratio)   1e-4 (V)                  2e-4 (V)               target BER
//   pass criterion                COM ≥ 3 dB (V)            COM ≥ 3 dB (V)         not applied
// (V/D/U as in figures.md §4.) Jitter enters as A_DD and σ_RJ through the equalised pulse's
// slope, σ_J² = σ_X²(A_DD² + σ_RJ²)Σ h_J(n)²; SNR_TX as σ_X² 10^(−SNR_TX/10) Σ h(n)²; both arise
// in the time domain here (serdes_tx.hpp) and reach the semi-analytic BER and the statistical
// eye through the noise measured at the slicer. The 3 dB COM margin is a compliance allowance
// for implementation (a real receiver's CDR, ADC, adaptation), not a noise term: the tiers'
// reach is where the BER meets the FEC threshold with no margin, so it is longer than a
// COM-compliant reach by the cable that 3 dB of SNR buys.
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
#include <string_view>

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
  /// Throws ParameterError (keys `gain_key`, `gain2_key` of block `block`) unless g_DC is in
  /// [−20, 0] dB and g_DC2 in [−6, 0] dB, COM's ranges.
  static void check_gains(double dc_gain_db, double dc_gain2_db, std::string_view block,
                          std::string_view gain_key, std::string_view gain2_key);
};

struct SerdesRxParams {
  std::string reach = "mr";
  double ctle_dc_gain_db = 0.0;
  double ctle_dc_gain2_db = 0.0;
  double bandwidth_ratio = 0.58;  ///< f_r / f_b; 0: no receiver filter
  double noise_density_v2_per_hz = 6e-18;
  double crosstalk_icn_v = 0.0;  ///< σ_ICN of the aggressors' power sum; 0: none

  static SerdesRxParams read(ParamReader& reader);
};

class SerdesRxBlock final : public Block {
 public:
  explicit SerdesRxBlock(const SerdesRxParams& params);

  [[nodiscard]] std::string_view kind() const override { return "serdes_rx"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<SerdesRxBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::thermal) | static_cast<unsigned>(NoiseKind::crosstalk);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] double latency_samples() const override { return latency_; }
  [[nodiscard]] const CtleSpec& ctle() const { return ctle_; }
  /// The front end's whole response (CTLE × receiver filter) at f.
  [[nodiscard]] std::complex<double> response(double frequency_hz) const;
  [[nodiscard]] const std::vector<double>& taps() const { return filter_.taps(); }
  /// RMS of the aggressor sequence (held per UI, or its phase average) that gives σ_ICN through
  /// the ICN reference filter.
  [[nodiscard]] double crosstalk_held_rms() const { return crosstalk_held_rms_; }
  /// RMS through the ICN reference filter (4th-order Butterworth at 0.75·f_b) of a unit-variance
  /// sequence held for `sps` samples: √(2∫₀^½ (1/sps)|sin(π ν sps)/sin(π ν)|² |H_r(ν f_s)|² dν).
  [[nodiscard]] static double held_rms_through_icn_filter(double symbol_rate_bd, int sps);

 private:
  SerdesRxParams params_;
  CtleSpec ctle_;
  RealFirFilter filter_;
  double latency_ = 0.0;
  double crosstalk_held_rms_ = 0.0;
  std::vector<double> crosstalk_window_;  ///< the last sps white samples of the moving sum
  double crosstalk_sum_ = 0.0;
  std::size_t crosstalk_pos_ = 0;
};

}  // namespace optilane
