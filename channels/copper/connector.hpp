// `connector`: a copper connector (module cage, backplane or cable connector) as a short
// mismatched line section. Its impedance Z follows from the step reflection coefficient Γ at each
// end, Z = 100 Ω·(1 + Γ)/(1 − Γ), |Γ| = 10^(reflectance/20); its two reflections add up to about
// 2|Γ| (reflectance + 6 dB) where the section is a quarter wave long. The loss is `loss` dB at
// `loss_frequency`, split evenly between a √f (conductor) and an f (dielectric) term in the causal
// COM line form (channels/copper/line.hpp). Defaults (U, typical of an OSFP/QSFP-DD host
// connector at 26.56 GHz): 0.5 dB, −20 dB reflectance, 60 ps.
#pragma once

#include "channels/copper/copper_block.hpp"
#include "channels/copper/line.hpp"
#include "phy/params.hpp"

namespace optilane {

struct ConnectorParams {
  double loss_db = 0.5;
  double loss_frequency_hz = 26.5625e9;
  double reflectance_db = -20.0;  ///< step reflection at each end, dB (< 0); −inf: matched
  double delay_s = 60e-12;

  static ConnectorParams read(ParamReader& reader);
};

class ConnectorBlock final : public CopperBlock {
 public:
  explicit ConnectorBlock(const ConnectorParams& params);
  [[nodiscard]] std::string_view kind() const override { return "connector"; }
  [[nodiscard]] TwoPortNetwork network() const override;
  [[nodiscard]] std::unique_ptr<Block> clone() const override {
    return std::make_unique<ConnectorBlock>(*this);
  }
  [[nodiscard]] std::string describe() const override;
  /// The section's differential impedance, Ω.
  [[nodiscard]] double impedance_ohm() const;

 private:
  ConnectorParams params_;
};

}  // namespace optilane
