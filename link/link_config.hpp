// A link's configuration: loading (with `extends:` presets and `--set` overrides), strict
// validation with file/line/key errors, and building a lane's chain of blocks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "link/config_tree.hpp"
#include "phy/block.hpp"
#include "phy/pam.hpp"
#include "phy/params.hpp"
#include "phy/prbs.hpp"

namespace optilane {

struct SignalConfig {
  Modulation modulation = Modulation::pam4;
  double symbol_rate_bd = 53.125e9;
  int samples_per_symbol = 16;
  PatternKind pattern = PatternKind::prbs31q;
  std::uint64_t symbols = 65536;  ///< symbols simulated (at least; Monte-Carlo may run longer)
  std::uint64_t seed = 1;
  bool precoding = false;
  double swing_v = 1.0;  ///< peak-to-peak of the source's levels (outer levels ±swing/2)
  /// PAM4 transmit level shaping (link/level_shaping.hpp): the inner levels are set so that the
  /// segment's optical transmitter gives equally spaced settled levels. The `signal` key for the
  /// first segment; a retimer's `tx_level_shaping` for the segment its line-side DAC drives.
  bool level_shaping = false;
  /// Level separation mismatch ratio R_LM of the source's PAM4 levels: −1, −R_LM/3, +R_LM/3, +1
  /// times swing/2 (the COM symbol levels, IEEE 802.3 Annex 93A.1.6; R_LM as cl. 120D.3.1.2
  /// defines it). 1: equally spaced. The `signal` key for the first segment; a retimer's
  /// `tx_rlm` for the segment its line-side DAC drives.
  double rlm = 1.0;
};

struct LanesConfig {
  int count = 1;
  std::string wdm = "none";           ///< none | cwdm4 | lwdm | list
  std::vector<double> wavelengths_m;  ///< one per lane
};

struct MonteCarloConfig {
  bool enabled = true;
  std::uint64_t max_symbols = 0;  ///< 0: run exactly signal.symbols
  std::uint64_t min_errors = 100;
};

struct AnalysisConfig {
  double target_ber = 2.4e-4;  ///< KP4 RS(544,514) pre-FEC threshold (IEEE 802.3 cl. 120, 136)
  std::string fec = "kp4";
  MonteCarloConfig monte_carlo;
  bool semi_analytic = true;
  bool statistical_eye = true;
  /// The statistical eye's BER contour map (not a config key: the sweep turns it off, as its
  /// table holds summary figures only and the map is 65 × 256 evaluations per point).
  bool statistical_eye_contours = true;
  /// Monte-Carlo only: no noiseless twin is run (lane_runner.hpp lists what is then not
  /// computed); the receiver trains and calibrates on the noisy record.
  bool monte_carlo_only = false;
  bool sensitivity = false;
  bool penalties = true;     ///< power penalties with the sensitivity (link budget)
  bool noise_budget = true;  ///< per-kind noise at the slicer (optical receivers)
  int probe_uis = 256;       ///< UIs kept of each block's output waveform
  /// COM parameter set of the copper channel report: auto | off | 802.3ck | 802.3dj.
  std::string com = "auto";
};

struct ChainEntry {
  std::string block;  ///< registry name
  std::string label;  ///< `name:` or the block name
  ConfigNode node;    ///< the block's map, with locations
  std::string path;   ///< "chain[2]" for messages
  /// Where the block sits, for the power split of a port (`location:` key): host (switch/GPU
  /// SerDes and its package), board, module (pluggable or optical engine), laser_source (an ELS
  /// front-panel module). Default: module.
  std::string location = "module";
  /// Label of the block whose power figure includes this one's (a receiver costed once; a
  /// module DSP's C2M SerDes costed by its retimer; see share_serdes_power in link_config.cpp);
  /// empty: costed here.
  std::string power_included_in;
};

struct LinkConfig {
  std::string name;
  std::string file;
  SignalConfig signal;
  LanesConfig lanes;
  std::vector<ChainEntry> chain;
  AnalysisConfig analysis;
  ConfigNode resolved;  ///< the full config after extends and overrides
  /// The files the config was read from (itself and the presets it extends) and the data files
  /// its blocks read (Touchstone): what an output must not overwrite.
  std::vector<std::string> input_files;
};

/// Largest `signal.seed` (and `--seed`): integers are read through a double, exact to 2^53.
inline constexpr std::uint64_t max_seed = 9'000'000'000'000'000;
/// Largest `analysis.probe_uis`: the probes are kept in memory, (blocks + 1) × probe_uis ×
/// samples_per_symbol doubles per lane (link/resources.cpp estimates them).
inline constexpr int max_probe_uis = 1 << 20;

/// Loads `path`, resolves `extends:` (recursively, detecting cycles) and applies `--set`
/// overrides in order.
[[nodiscard]] ConfigNode resolve_config(const std::string& path,
                                        const std::vector<std::string>& overrides);
/// Directories searched for presets named by `extends:`.
[[nodiscard]] std::vector<std::string> preset_search_path(const std::string& including_file);
/// Finds a preset file by name ("tiers/cpo-200g" or a path); throws InputError when absent.
[[nodiscard]] std::string find_preset(const std::string& name, const std::string& including_file,
                                      const SourceLocation& where);

/// Validates the resolved tree and builds the typed config. Every block of the chain is
/// constructed and prepared once here, so all parameter errors surface before a run starts.
/// With `every_lane` false only lane 0's chain is (its domains are every lane's; the other lanes
/// differ in wavelength only): for a caller that builds every lane's chain itself straight after,
/// where any lane's error surfaces with the same file, line and key.
[[nodiscard]] LinkConfig parse_link_config(const ConfigNode& resolved, bool every_lane = true);

/// The keys of the sections `signal`, `lanes`, `analysis` and `analysis.monte_carlo`, read
/// through any ParamReader (parse_link_config uses a ConfigReader; docs/config.md is generated
/// with a DocumentingReader). `wdm_is_list`: the `wdm` key is a list of wavelengths.
void read_signal_keys(ParamReader& reader, SignalConfig& signal);
void read_lanes_keys(ParamReader& reader, bool wdm_is_list, LanesConfig& lanes);
void read_analysis_keys(ParamReader& reader, AnalysisConfig& analysis);
void read_monte_carlo_keys(ParamReader& reader, std::uint64_t default_symbols,
                           MonteCarloConfig& monte_carlo);

/// The lane context of lane `lane`.
[[nodiscard]] LaneContext lane_context(const LinkConfig& config, int lane);

/// Builds and prepares the chain of one lane.
[[nodiscard]] std::vector<std::unique_ptr<Block>> build_chain(const LinkConfig& config, int lane);

/// Combines each run of consecutive copper blocks (package, pcb_trace, connector, twinax,
/// touchstone) into one S-parameter cascade, with the reflections between them: the run's first
/// block filters with the cascade, the others pass through (channels/copper/copper_block.hpp).
/// Called by build_chain, whose copper blocks in runs are not prepared before: the run's head is
/// prepared with the cascade, its other members (passing through) after it. `prepare` false:
/// the cascades are set but nothing is prepared (no FIR designed; build_copper_networks).
void cascade_copper_runs(std::vector<std::unique_ptr<Block>>& chain, const LaneContext& context,
                         bool prepare = true);

/// The blocks of lane `lane`'s chain constructed but not prepared, each copper run cascaded
/// (its head's effective_network() and effective_design_key() as build_chain gives them) but
/// no copper FIR designed: what copper_channel_reports reads, without the designs' cost.
[[nodiscard]] std::vector<std::unique_ptr<Block>> build_copper_networks(const LinkConfig& config,
                                                                        int lane);

/// Insertion loss of the chain's copper at `frequency_hz`, dB: the sum over its copper runs (each
/// run is one cascade between active blocks). NaN when the chain has no copper.
[[nodiscard]] double copper_insertion_loss_db(const std::vector<std::unique_ptr<Block>>& chain,
                                              double frequency_hz);

/// The unit of each block's output along a chain, in chain order: "W" where the output is optical
/// (its probe is the power |E|²), "A" for a photocurrent (from the block that leaves the optical
/// domain up to a TIA), "V" otherwise (the source drives in volts; a TIA outputs volts).
[[nodiscard]] std::vector<std::string> chain_output_units(
    const std::vector<std::unique_ptr<Block>>& chain);

/// Checks that the chain's domains connect (carrier before modulator, photodetector before the
/// end, ...) and that each block's settings suit lane `lane`'s signal (Block::check_signal);
/// throws InputError naming the offending block and key.
void check_chain_domains(const LinkConfig& config, const std::vector<std::unique_ptr<Block>>& chain,
                         int lane);

}  // namespace optilane
