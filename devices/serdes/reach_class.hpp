// Host SerDes reach classes and their power per bit (Tx + Rx of one lane), with sources. Tags as
// in ../shared/reference/figures.md §3: V verified, U recollection/range not retrieved.
#pragma once

#include <string_view>
#include <vector>

namespace optilane {

struct ReachClass {
  std::string_view name;
  double energy_per_bit_j = 0.0;  ///< whole SerDes lane (Tx + Rx), J/bit
  double tx_share = 0.4;          ///< fraction drawn by the transmitter (U, typical split)
  double channel_loss_db = 0.0;   ///< typical bump-to-bump loss at Nyquist the class closes
  std::string_view source;
};

[[nodiscard]] const std::vector<ReachClass>& reach_classes();
/// Throws ParameterError("class") when unknown.
[[nodiscard]] const ReachClass& reach_class(std::string_view name);

}  // namespace optilane
