// Runs lanes: the pattern source, the chain (with its noiseless twin for the exact ISI), and the
// slicer analysis, streamed in chunks so memory does not grow with the symbol count.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "link/link_config.hpp"
#include "link/receiver_dsp.hpp"
#include "phy/analysis/slicer.hpp"
#include "phy/block.hpp"

namespace optilane {

/// The first UIs of one block's output.
struct Probe {
  std::string label;  ///< "03_fiber"
  std::string quantity;  ///< "voltage", "current" or "optical_power"
  std::string unit;      ///< "V", "A", "W"
  double sample_rate_hz = 0.0;
  std::vector<double> samples;
};

struct BlockPower {
  std::string block;  ///< label
  PowerItem item;
};

struct LaneResult {
  int lane = 0;
  double wavelength_m = 0.0;
  SlicerResult slicer;
  double post_fec_ber = 0.0;
  std::optional<ReceiverDspReport> dsp;  ///< when the chain ends in ffe/dfe/mlse blocks
  std::vector<Probe> probes;
  std::vector<BlockPower> power;
  std::vector<std::string> chain_description;
};

struct LinkResult {
  std::string name;
  std::uint64_t seed = 1;
  std::vector<LaneResult> lanes;
  double worst_ber = 0.0;  ///< the worst lane's BER (Monte-Carlo, or semi-analytic without it)
  bool closes = false;
  double power_per_lane_w = 0.0;
  double power_total_w = 0.0;
  double pj_per_bit = 0.0;
  std::vector<std::pair<std::string, double>> power_breakdown_w;  ///< by category, all lanes
  double elapsed_s = 0.0;
};

/// Runs one lane of the link.
[[nodiscard]] LaneResult run_lane(const LinkConfig& config, int lane);

/// Runs every lane (in parallel over `threads`, 0 = OpenMP's default). Results do not depend on
/// the thread count.
[[nodiscard]] LinkResult run_link(const LinkConfig& config, int threads);

}  // namespace optilane
