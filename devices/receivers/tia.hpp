// `tia`: transimpedance amplifier, photocurrent (A) → voltage (V).
//
//   v(t) = clip( Z_T · h_TIA ∗ [ i(t) − I_dc + n_th(t) ] )
//   n_th: white input-referred noise current, one-sided density i_n (A/√Hz), per-sample variance
//         i_n²·fs/2 before the response, so after h_TIA (DC gain 1, noise-equivalent bandwidth
//         B_n) the input-referred thermal variance is i_n²·B_n (the usual σ_th² = i_n²·B_n;
//         Razavi, Design of Integrated Circuits for Optical Communications, 2nd ed., §4.2).
//   h_TIA: Butterworth or Bessel-Thomson of order 1..4 at `bandwidth`.
//   I_dc: the mean input current of the first chunk, removed as a DC-offset-cancellation loop
//         does (its corner, kHz, is far below anything a run resolves).
//   clip: none (linear) or hard limiting at ±output_swing/2 (limiting).
//   Z_T: fixed, or (gain_control: agc) set once by an automatic gain control, as a linear TIA's
//        VGA and its slow peak-detecting loop do: the transimpedance is the gain's maximum,
//        reduced so that the input's peak-to-peak swing comes out at `output_swing`,
//          Z = min(Z_T, V_pp / I_pp),   I_pp = max i(t) − min i(t)
//        over the first chunk from its first sample at half its mean on (past the chain's
//        start-up, when no light has arrived yet). The loop's time constant (µs) is far longer
//        than a run, so the gain is one number; its detector averages the noise out, so I_pp is
//        the noiseless twin's (ISI overshoot included, noise not) and the gain is used on both
//        paths (the same on both, and on every lane carrying the same signal; a run without the
//        twin takes its own, noisy, input). Below I_pp = V_pp/Z_T the gain is Z_T and nothing
//        changes; above it the output's peak-to-peak stays at V_pp (less the TIA's own
//        band-limiting, plus its noise): the part's linear range, as a linear TIA's output stage
//        holds its THD only up to a given swing (≈ 800 mVppd for the SG13G2 TIA of the 200G
//        presets).
// Power: the datasheet figure at the operating point.
#pragma once

#include <optional>

#include "phy/block.hpp"
#include "phy/filter_design.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

enum class TiaMode { linear, limiting };
enum class TiaGainControl { fixed, agc };

struct TiaParams {
  /// Transimpedance Z_T, ohm, > 0. Default 1413 Ω (63 dBΩ): 16 nm FinFET linear TIA for
  /// 112 Gb/s PAM4 (figures.md §2.6, V).
  double transimpedance_ohm = 1413.0;
  /// Input-referred noise current density i_n, A/√Hz, >= 0. Default 16.9 pA/√Hz (same TIA).
  double noise_density_a_per_rthz = 16.9e-12;
  /// 3-dB bandwidth, Hz. Default 32 GHz (same TIA).
  double bandwidth_hz = 32e9;
  /// Response shape: butterworth or bessel.
  FilterShape shape = FilterShape::butterworth;
  /// Response order 1..4. Default 2.
  int order = 2;
  TiaMode mode = TiaMode::linear;
  /// Fixed transimpedance, or an AGC that holds the output swing (see the header).
  TiaGainControl gain_control = TiaGainControl::fixed;
  /// Peak-to-peak output swing, V (> 0): where a limiting TIA clips, and what an AGC holds.
  double output_swing_v = 0.5;
  /// Electrical power, W. Default 47 mW (same TIA).
  double power_w = 47e-3;

  static TiaParams read(ParamReader& reader);
};

class TiaBlock final : public Block {
 public:
  explicit TiaBlock(const TiaParams& params);

  [[nodiscard]] std::string_view kind() const override { return "tia"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  /// The AGC's gain taken from the twin's (noiseless) input and used on both paths (fixed gain:
  /// the two calls).
  void process_twin(Signal& noisy, Block& twin, Signal& clean) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<TiaBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::thermal);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }
  [[nodiscard]] std::optional<double> metric(std::string_view name, double argument) const override;
  [[nodiscard]] std::vector<std::string> metric_names() const override;

  [[nodiscard]] const TiaParams& params() const { return params_; }
  /// The transimpedance in use, ohm: Z_T, or the AGC's gain once a chunk has set it.
  [[nodiscard]] double gain_ohm() const { return gain_ohm_.value_or(params_.transimpedance_ohm); }
  /// One-sided noise-equivalent bandwidth of the response, Hz.
  [[nodiscard]] double noise_bandwidth_hz() const { return noise_bandwidth_hz_; }

 private:
  TiaParams params_;
  RealFirFilter response_;
  double delay_samples_ = 0.0;
  double noise_bandwidth_hz_ = 0.0;
  double sigma_a_ = 0.0;  ///< per-sample input noise standard deviation
  std::optional<double> dc_a_;
  std::optional<double> gain_ohm_;  ///< the AGC's gain, once set (fixed gain: unset)
  /// The AGC's gain for an input chunk (DC removed with `dc`).
  [[nodiscard]] double agc_gain(const std::vector<double>& x, double dc) const;
};

}  // namespace optilane
