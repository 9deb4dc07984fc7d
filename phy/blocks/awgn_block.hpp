// `awgn`: additive white Gaussian noise on an electrical signal, set by SNR or by density.
//
// By density: one-sided power spectral density N0 = density² (V²/Hz or A²/Hz); white noise sampled
// at fs has per-sample variance σ² = N0·fs/2.
// By SNR: the signal's AC power P (the variance of the first chunk the block sees, which the
// pattern and seed fix, so it is reproducible) over the noise power in the Nyquist bandwidth Rs/2:
// SNR = P / (N0·Rs/2), hence σ² = P·(fs/Rs)/SNR = P·sps/SNR. After an ideal brick-wall filter at
// Rs/2 the noise variance is exactly P/SNR.
#pragma once

#include <optional>

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct AwgnParams {
  std::optional<double> snr_db;            ///< SNR in the Nyquist bandwidth, dB
  std::optional<double> density_per_rthz;  ///< one-sided noise density, V/√Hz or A/√Hz

  static AwgnParams read(ParamReader& reader);
};

class AwgnBlock final : public Block {
 public:
  explicit AwgnBlock(const AwgnParams& params);

  [[nodiscard]] std::string_view kind() const override { return "awgn"; }
  void prepare(const LaneContext& lane) override;
  void process(Signal& chunk) override;
  void reset() override {
    if (!params_.density_per_rthz) sigma_.reset();
  }
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<AwgnBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] unsigned noise_sources() const override {
    return static_cast<unsigned>(NoiseKind::thermal);
  }
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override {
    (void)has_carrier;
    return input == Domain::electrical
               ? std::string()
               : "awgn adds noise to an electrical signal; place it after the photodetector";
  }
  /// Per-sample standard deviation (known once the first chunk is seen when set by SNR).
  [[nodiscard]] std::optional<double> sigma() const { return sigma_; }

 private:
  AwgnParams params_;
  std::optional<double> sigma_;
};

}  // namespace optilane
