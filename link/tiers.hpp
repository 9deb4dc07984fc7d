// Packaging tiers side by side (DESIGN.md §1, §4 `optilane tiers`): every preset in
// examples/tiers/ run from its devices and channels, with its BER, margin, reach, power per port
// and pJ/bit.
//
// Simulation: each tier runs semi-analytically (Monte-Carlo off: exact ISI from the noiseless
// twin, Gaussian noise measured per level) on the lanes that differ (one lane when every lane is
// at the same wavelength, one per grid wavelength otherwise); the port's power is the per-lane
// power times the port's lane count.
//
// Power per port: every block's electrical power at its operating point (collected after the run),
// summed over the one-direction chain of each lane. A one-direction chain holds one of each device
// of a link end — the transmitter of the outbound lane and the receiver of the inbound one — so
// chain power × lanes is the power of one port end. `module_w` sums the blocks whose `location`
// is module (the pluggable, or the optical engine of NPO/CPO) plus the module overhead; `port_w`
// adds the host SerDes, board parts and an external laser source's share. The overhead is the
// module's DC-DC conversion loss and its management controller (module_overhead_w, tiers.cpp),
// charged to each optics module (one per 8 lanes) and, as "laser source overhead" outside
// module_w, to each external laser source module (an OIF ELSFP is a pluggable of its own).
// pJ/bit = port_w / (lanes × line bit rate), and / (lanes × payload rate).
//
// Reach: the length of the first `fiber` (optical tiers) or the longest `twinax` (copper tiers:
// the cable, not a co-packaged-copper flyover) at which the link still meets the target on the
// semi-analytic BER, bracketed to 5 % (the reported length closes on every lane; 5 % more fails).
// The search re-runs only the retimed segment holding that block, one lane at a time, stepping
// along the secant of log10(BER/target) versus length (search_reach in tiers.cpp).
#pragma once

#include <limits>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "link/lane_runner.hpp"

namespace optilane {

struct TierResult {
  std::string tier;             ///< preset name
  std::string preset;           ///< file
  double lane_rate_gbps = 0.0;  ///< payload per lane: 100 or 200
  double symbol_rate_gbd = 0.0;
  double line_rate_gbps = 0.0;  ///< per lane, on the wire
  int lanes = 0;                ///< lanes of the port
  double ber = 0.0;             ///< worst lane, summed over retimed segments
  double target_ber = 0.0;
  double post_fec_ber = 0.0;
  bool closes = false;
  double margin_db = std::numeric_limits<double>::quiet_NaN();  ///< optical link budget margin
  double reach_m = std::numeric_limits<double>::quiet_NaN();
  std::string reach_block;  ///< "fiber" or "twinax"
  double port_w = 0.0;
  double module_w = 0.0;
  double dsp_w = 0.0;       ///< the module's DSP chip: module-located DSP and SerDes (C2M) blocks
  double pj_per_bit = 0.0;  ///< port_w at the line rate
  double pj_per_bit_payload = 0.0;                          ///< port_w at the payload rate
  std::vector<std::pair<std::string, double>> breakdown_w;  ///< port, by category
  std::vector<std::pair<std::string, double>> blocks_w;     ///< port, by block label
  int segments = 1;
  std::vector<double> segment_ber;  ///< worst lane of each segment
  double elapsed_s = 0.0;
};

/// Module conversion and management overhead (W) for a module of `lanes` lanes drawing
/// `load_w`; see tiers.cpp for the figures and their sources.
[[nodiscard]] double module_overhead_w(double load_w, int lanes);

/// The tier presets (examples/tiers/*.yaml), optionally only those of one lane rate ("100G" or
/// "200G"; empty: all), sorted.
[[nodiscard]] std::vector<std::string> tier_presets(const std::string& lane_rate);

/// The configs `optilane tiers CONFIG...` names: each argument a YAML file, a directory (its
/// *.yaml, sorted) or the name of a shipped tier preset ("cpo-200g"); none: every tier preset.
/// `lane_rate` ("100G"/"200G") keeps the configs whose signal is of that lane rate (parsed; the
/// shipped presets, when none is named, by their file names' "-200g"). A config named twice runs
/// once. Throws InputError naming an argument that is none of these.
[[nodiscard]] std::vector<std::string> tier_configs(const std::vector<std::string>& arguments,
                                                    const std::string& lane_rate);

/// Runs one tier preset (with optional --set style overrides); `reach` searches the reach.
[[nodiscard]] TierResult run_tier(const std::string& preset,
                                  const std::vector<std::string>& overrides = {},
                                  bool reach = true);

/// Runs the tiers in parallel (OpenMP over tiers; `threads` 0 = default).
[[nodiscard]] std::vector<TierResult> run_tiers(const std::vector<std::string>& presets,
                                                int threads, bool reach = true,
                                                const std::vector<std::string>& overrides = {});

[[nodiscard]] nlohmann::json tiers_json(const std::vector<TierResult>& rows);
[[nodiscard]] std::string tiers_table(const std::vector<TierResult>& rows);
void write_tiers_hdf5(const std::string& path, const std::vector<TierResult>& rows,
                      const std::string& json_text);

}  // namespace optilane
