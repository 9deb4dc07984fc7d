// `driver`: the electrical stage that drives a modulator.
//
// kind linear (LPO, NPO, CPO linear drivers):
//   y = clip(G·(x + n_in) ∗ h_BW, ±V_sw/2),
//   n_in white with one-sided density e_n (V/√Hz) → per-sample σ = e_n·√(fs/2)
//   (NoiseKind::thermal), h_BW a 4th-order Bessel-Thomson response of the set 3-dB bandwidth;
//   clipping at the rated output swing (the driver is linear up to it).
// kind dac (the DAC/driver of a DSP transmitter):
//   y = (G·x + n_q) ∗ h_BW, n_q Gaussian with σ = FS / (√12·2^ENOB), FS = the output swing (the
//   standard ENOB definition, Kester, "Understand SINAD, ENOB, SNR, THD…", ADI MT-003), under
//   NoiseKind::quantization.
// Power: the set supply power (category driver).
#pragma once

#include "phy/block.hpp"
#include "phy/overlap_save.hpp"
#include "phy/params.hpp"

namespace optilane {

enum class DriverKind { linear, dac };

struct DriverParams {
  DriverKind kind = DriverKind::linear;
  /// Voltage gain, dB. Default 6 dB (recollection, U: 1 Vpp host swing to 2 Vpp drive).
  double gain_db = 6.0;
  /// 3-dB bandwidth, Hz. Default 50 GHz (recollection, U: 100G-per-lane linear drivers).
  double bandwidth_hz = 50e9;
  /// Rated output swing (peak-to-peak), V; full scale of a DAC. Default 2 V (U).
  double swing_v = 2.0;
  /// Input-referred noise density, V/√Hz (linear). Default 10 nV/√Hz (recollection, U).
  double noise_density_v_per_rthz = 10e-9;
  /// Effective number of bits (dac). Default 5.5 (recollection, U: 100G-class DSP DACs).
  double enob = 5.5;
  /// Supply power, W. Default 0.15 W (recollection, U: 100–200 mW per lane).
  double power_w = 0.15;

  static DriverParams read(ParamReader& reader);
};

class Driver final : public Block {
 public:
  explicit Driver(const DriverParams& params);

  [[nodiscard]] std::string_view kind() const override { return "driver"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<Driver>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::thermal) |
           static_cast<unsigned>(NoiseKind::quantization);
  }
  [[nodiscard]] std::vector<PowerItem> power() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;
  [[nodiscard]] double latency_samples() const override { return delay_samples_; }

  /// Per-sample standard deviation of the added noise at the output (before the filter), V.
  [[nodiscard]] double noise_sigma_v() const { return sigma_; }
  [[nodiscard]] const std::vector<double>& taps() const { return filter_.taps(); }

 private:
  DriverParams params_;
  RealFirFilter filter_;
  double delay_samples_ = 0.0;
  double gain_ = 1.0;
  double sigma_ = 0.0;
  std::vector<double> noise_;
};

}  // namespace optilane
