#include "link/segments.hpp"

#include <fmt/format.h>

#include "devices/dsp/retimer.hpp"
#include "link/config_reader.hpp"

namespace optilane {

std::vector<LinkConfig> split_segments(const LinkConfig& config) {
  std::vector<std::vector<ChainEntry>> parts(1);
  for (const auto& entry : config.chain) {
    parts.back().push_back(entry);
    if (entry.block == "retimer") parts.emplace_back();
  }
  if (parts.back().empty()) parts.pop_back();
  if (parts.size() == 1) return {config};
  std::vector<LinkConfig> segments;
  for (std::size_t s = 0; s < parts.size(); ++s) {
    LinkConfig segment = config;
    segment.chain = parts[s];
    segment.name = fmt::format("{}: {} → {}", s, parts[s].front().label, parts[s].back().label);
    segment.signal.seed = config.signal.seed + s * segment_seed_stride;
    if (s > 0) {
      // This segment's source is the line-side DAC of the retimer ending the one before.
      const ChainEntry& retimer = parts[s - 1].back();
      ConfigReader reader(retimer.node, retimer.path + " (retimer)", {"block", "name", "location"});
      const RetimerParams retimer_params = RetimerParams::read(reader);
      segment.signal.level_shaping = retimer_params.tx_level_shaping;
      segment.signal.rlm = retimer_params.tx_rlm;
    }
    segments.push_back(std::move(segment));
  }
  return segments;
}

}  // namespace optilane
