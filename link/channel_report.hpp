// The channel report of a lane's copper (issue 5): for each run of cascaded copper blocks (one
// S-parameter network between active blocks), its SDD21 frequency response, its pulse response,
// and its Channel Operating Margin (channels/copper/com.hpp) with pass/fail against 3 dB.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "channels/copper/com.hpp"
#include "phy/block.hpp"

namespace optilane {

struct LinkConfig;

struct CopperChannelReport {
  std::string block;                 ///< label of the run's first block
  std::vector<std::string> members;  ///< labels of the run's blocks, in signal order
  std::vector<double> frequency_hz;  ///< 0 .. the symbol rate
  std::vector<double> sdd21_db;      ///< 20 log10 |SDD21| of the run (no reference packages)
  /// Pulse response of the run alone to a 1-UI rectangle of 1 V at the link's symbol rate, 32
  /// samples per UI, time from its peak.
  std::vector<double> pulse_time_ui, pulse_v;
  std::optional<ComResult> com;  ///< when analysis.com is not `off`
};

/// Reports of every copper run of a prepared chain (empty without copper blocks).
[[nodiscard]] std::vector<CopperChannelReport> copper_channel_reports(
    const LinkConfig& config, const std::vector<std::unique_ptr<Block>>& chain);

/// Computes what copper_channel_reports keeps for `chain` (each keyed run's figures and COM) and
/// returns nothing: the lanes asking next take the kept values, which are the ones they would
/// compute. The chain need not be prepared (build_copper_networks): a report reads its runs'
/// networks only. run_link calls it beside the first lane's chain build (the copper FIR designs),
/// so COM is not computed while the other threads wait for those designs.
void warm_copper_channel_reports(const LinkConfig& config,
                                 const std::vector<std::unique_ptr<Block>>& chain);

}  // namespace optilane
