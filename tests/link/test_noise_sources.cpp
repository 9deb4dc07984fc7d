// Block::noise_sources() must list every noise kind a block adds: the noise budget skips the kinds
// no block of a chain declares and reports them as exactly zero. Checked on every example and tier
// preset: with every declared kind switched off, the noisy chain must equal its noiseless twin
// (noise RMS exactly 0 at the slicer), and with them on, the chain must be noisy.
#include <catch2/catch.hpp>

#include <filesystem>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/segments.hpp"
#include "test_support.hpp"

using namespace optilane;

namespace {

std::vector<std::string> example_configs() {
  std::vector<std::string> paths;
  const std::filesystem::path root = std::filesystem::path(OPTILANE_SOURCE_DIR) / "examples";
  for (const auto& dir : {root, root / "tiers"}) {
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
      if (entry.path().extension() == ".yaml") paths.push_back(entry.path().string());
    }
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

}  // namespace

TEST_CASE("Every block declares the noise kinds it adds (the noise budget relies on it)",
          "[link][noise][budget]") {
  for (const std::string& path : example_configs()) {
    INFO(path);
    // Examples that read ../shared's reference channels skip cleanly where it is absent (users'
    // clones do not have it).
    if (test::read_text(path).find("shared/channels/") != std::string::npos &&
        !std::filesystem::exists(std::filesystem::path(OPTILANE_SOURCE_DIR) /
                                 "../shared/channels")) {
      WARN("../shared/channels absent: " << path << " skipped");
      continue;
    }
    // Short runs: the calibration record and a little more, no Monte-Carlo, no analyses.
    const LinkConfig config = parse_link_config(
        resolve_config(path, {"signal.symbols=6000", "analysis.monte_carlo=false",
                              "analysis.statistical_eye=false", "analysis.sensitivity=false"}));
    for (const LinkConfig& segment : split_segments(config)) {
      INFO(segment.name);
      auto chain = build_chain(segment, 0);
      unsigned declared = 0u;
      for (const auto& block : chain) declared |= block->noise_sources();
      const LaneResult quiet =
          run_lane_with_chain(segment, 0, build_chain(segment, 0), all_noise & ~declared);
      for (double sigma : quiet.slicer.noise_rms_per_level) CHECK(sigma == 0.0);
      if (declared != 0u) {
        const LaneResult noisy = run_lane_with_chain(segment, 0, std::move(chain), declared);
        double largest = 0.0;
        for (double sigma : noisy.slicer.noise_rms_per_level) largest = std::max(largest, sigma);
        CHECK(largest > 0.0);
      }
    }
  }
}
