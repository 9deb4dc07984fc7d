// Helpers shared by the tier-preset tests: a preset's path by name, and lane 0's optical
// transmitter figures with its channel loss.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "link/config_tree.hpp"
#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/tiers.hpp"

namespace optilane::test {

/// Path of examples/tiers/NAME.yaml (FAILs when there is none).
inline std::string tier_preset(const std::string& name) {
  const std::string tail = "/" + name + ".yaml";
  for (const auto& path : tier_presets("")) {
    if (path.size() >= tail.size() &&
        path.compare(path.size() - tail.size(), tail.size(), tail) == 0) {
      return path;
    }
  }
  FAIL("no tier preset " << name);
  return {};
}

/// Lane 0's optical transmitter (the segment holding the photodetector) and the optical
/// channel's loss to the photodetector; `overrides` are KEY=VALUE settings on top of the preset.
struct TierTx {
  TxResult tx;
  double channel_loss_db = 0.0;
};

inline TierTx tier_tx(const std::string& name, const std::vector<std::string>& overrides = {}) {
  std::vector<std::string> set = {"lanes.count=1", "analysis.sensitivity=false",
                                  "analysis.statistical_eye=false"};
  set.insert(set.end(), overrides.begin(), overrides.end());
  const LinkConfig config = parse_link_config(resolve_config(tier_preset(name), set));
  const LinkResult link = run_link(config, 1);
  for (const auto& segment : link.segments) {
    const auto& lane = segment.lanes.at(0);
    if (lane.tx && lane.optical_rx) return {*lane.tx, lane.optical_rx->channel_loss_db};
  }
  FAIL("no optical transmitter in " << name);
  return {};
}

}  // namespace optilane::test
