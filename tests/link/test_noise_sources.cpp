// Block::noise_sources() must list every noise kind a block adds: the noise budget skips the kinds
// no block of a chain declares and reports them as exactly zero. Checked on every example and tier
// preset: with every declared kind switched off, each block must equal its noiseless copy bit for
// bit, and with them on, the chain must be noisy.
#include <catch2/catch.hpp>

#include <filesystem>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "link/receiver_dsp.hpp"
#include "link/segments.hpp"
#include "phy/pam.hpp"
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
      // Block by block: with every undeclared kind on, each block does bit for bit what its
      // noiseless copy does to the same input. (The lane runner relies on it: before the first
      // block adding noise in a run, it computes the noiseless twin's signal only once, so a
      // lane-level comparison could not see a block that breaks it.)
      auto blocks = build_chain(segment, 0);
      (void)ReceiverDspStage::take_dsp_blocks(blocks);  // they run after sampling, not as blocks
      std::vector<std::unique_ptr<Block>> silent;
      for (const auto& block : blocks) {
        block->set_noise_mask(all_noise & ~declared);
        silent.push_back(block->clone());
        silent.back()->set_noise_enabled(false);
      }
      const LaneContext context = lane_context(segment, 0);
      const int sps = segment.signal.samples_per_symbol;
      const int m = levels_of(segment.signal.modulation);
      RandomStream symbols(5);
      for (std::int64_t chunk = 0; chunk < 3; ++chunk) {
        Signal signal;
        signal.sample_rate_hz = context.sample_rate_hz();
        signal.wavelength_m = context.wavelength_m;
        signal.first_sample = chunk * 2048 * sps;
        signal.chunk_index = chunk;
        for (int k = 0; k < 2048; ++k) {
          const int level = static_cast<int>(symbols.next_u64() % static_cast<unsigned>(m));
          signal.electrical.insert(signal.electrical.end(), static_cast<std::size_t>(sps),
                                   segment.signal.swing_v / 2.0 * symbol_level(level, m));
        }
        for (std::size_t i = 0; i < blocks.size(); ++i) {
          INFO("block " << i << " (" << blocks[i]->kind() << "), chunk " << chunk);
          Signal quiet = signal;
          blocks[i]->process(signal);
          silent[i]->process(quiet);
          REQUIRE(signal.domain == quiet.domain);
          REQUIRE(signal.electrical == quiet.electrical);
          REQUIRE(signal.optical == quiet.optical);
        }
      }
      if (declared != 0u) {
        const LaneResult noisy = run_lane_with_chain(segment, 0, std::move(chain), declared);
        double largest = 0.0;
        for (double sigma : noisy.slicer.noise_rms_per_level) largest = std::max(largest, sigma);
        CHECK(largest > 0.0);
      }
    }
  }
}
