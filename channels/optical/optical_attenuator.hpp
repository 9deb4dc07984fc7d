// `optical_attenuator`: a flat optical loss, E_out = E_in·10^(−loss/20). Used by the sensitivity
// search (swept in front of the photodetector) and for fixed channel allocations.
#pragma once

#include "phy/block.hpp"
#include "phy/params.hpp"

namespace optilane {

struct OpticalAttenuatorParams {
  /// Loss, dB, >= 0. Default 0.
  double loss_db = 0.0;

  static OpticalAttenuatorParams read(ParamReader& reader);
};

class OpticalAttenuatorBlock final : public Block {
 public:
  explicit OpticalAttenuatorBlock(const OpticalAttenuatorParams& params);

  [[nodiscard]] std::string_view kind() const override { return "optical_attenuator"; }
  void process(Signal& chunk) override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<OpticalAttenuatorBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  [[nodiscard]] std::string check_input(Domain input, bool has_carrier) const override;

  [[nodiscard]] double loss_db() const { return params_.loss_db; }
  /// Changes the loss (the sensitivity sweep).
  void set_loss_db(double loss_db);

 private:
  OpticalAttenuatorParams params_;
  double field_gain_ = 1.0;
};

/// The explanation an optical channel block gives when its input is not an optical signal.
[[nodiscard]] std::string optical_input_problem(std::string_view name, Domain input,
                                                bool has_carrier);

}  // namespace optilane
