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

/// Reports of every copper run of a chain, prepared or from build_copper_networks (they read the
/// runs' networks only; empty without copper blocks).
[[nodiscard]] std::vector<CopperChannelReport> copper_channel_reports(
    const LinkConfig& config, const std::vector<std::unique_ptr<Block>>& chain);

}  // namespace optilane
