// Runs lanes: the pattern source, the chain (with its noiseless twin for the exact ISI), and the
// slicer analysis, streamed in chunks so memory does not grow with the symbol count.
//
// Monte-Carlo only (analysis.monte_carlo_only): the chain runs once, without its noiseless twin
// (no reference blocks, no copies of the signal: about half of an optical lane's cost). The
// receiver then works as a real one does, on the noisy record with the sent symbols as training
// sequence: timing and thresholds from the noisy level statistics (calibrate_slicer_on_noisy,
// receiver_dsp.hpp), the DSP's phase search and LMS on the noisy samples. The Monte-Carlo count
// (errors, bits, BER, its 95 % interval, SER), the noisy level means at the slicer, the thresholds,
// the sample-level eye histogram, the DSP taps and MSE, probes and power are computed. Not
// computed, NaN here and null in the JSON (summary lists them under "not_computed"): the
// semi-analytic BER and SER, the statistical eye and its pulse fit, noise RMS per level, SNR, eye
// height and width at the target BER (all need the noise alone or the noiseless ISI), the DSP's
// noise enhancement; the transmitter analysis (LaneResult::tx: OMA, ER, RLM, TDECQ read the
// noiseless field) and the optical receiver's (optical_rx: received OMA, noise budget,
// sensitivity) are absent. The lane's BER is the Monte-Carlo one even at zero errors (then its
// 95 % interval's upper end is the figure to read). The energy audit of passive blocks (on the
// noiseless path) does not run.
#pragma once

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "link/channel_report.hpp"
#include "link/link_config.hpp"
#include "link/receiver_dsp.hpp"
#include "phy/analysis/slicer.hpp"
#include "phy/analysis/statistical_eye.hpp"
#include "phy/block.hpp"

namespace optilane {

/// The first UIs of one block's output.
struct Probe {
  std::string label;     ///< "03_fiber"
  std::string quantity;  ///< "voltage", "current" or "optical_power" (chain_output_units)
  std::string unit;      ///< "V", "A", "W"
  double sample_rate_hz = 0.0;
  std::vector<double> samples;
};

struct BlockPower {
  std::string block;  ///< label
  PowerItem item;
  std::string location = "module";  ///< the chain entry's `location`
};

/// The optical receiver's figures of a lane (DESIGN.md §4 `rx`, `sensitivity_oma_dbm`,
/// `margin_db`); filled by link/optical_rx.cpp when the chain has a photodetector.
struct OpticalRxResult {
  double responsivity_a_per_w = 0.0;
  double oma_outer_dbm = 0.0;    ///< at the photodetector input, noiseless level means
  double channel_loss_db = 0.0;  ///< sum of the optical channel blocks' losses
  /// RMS noise currents at the photodetector (input-referred), A; NaN when not computed.
  std::vector<std::pair<std::string, double>> noise_rms_a;
  double sensitivity_oma_dbm = std::numeric_limits<double>::quiet_NaN();
  double margin_db = std::numeric_limits<double>::quiet_NaN();
  std::string sensitivity_note;
  /// Power penalties, dB: the extra attenuation the link tolerates with one impairment removed
  /// ("dispersion": fibres as pure loss; "mpi", "crosstalk": that noise off); only those present.
  std::vector<std::pair<std::string, double>> penalties_db;
  std::vector<double> waterfall_oma_dbm;  ///< received OMA at the PD of each swept point
  std::vector<double> waterfall_ber;      ///< semi-analytic BER at each point
  double spot_check_ber_monte_carlo = std::numeric_limits<double>::quiet_NaN();
  double spot_check_ber_semi_analytic = std::numeric_limits<double>::quiet_NaN();
  std::uint64_t spot_check_errors = 0;
  std::uint64_t spot_check_bits = 0;
};

/// The transmitter's figures of a lane (DESIGN.md §4 `tx`), from the noiseless optical field at
/// the output of the first block whose output is optical (the modulator, or a directly modulated
/// laser), over one whole pattern period: the run's own capture when the run holds one after its
/// start-up, else a noiseless pre-pass of the run's symbols through the transmitter blocks.
struct TxResult {
  std::string block;             ///< label of the transmitter block
  std::size_t block_index = 0;   ///< its index in the chain
  double average_power_w = 0.0;  ///< time average of the power (what a power meter reads)
  /// OMA(outer), ER, RLM and TDECQ from phy/analysis/tdecq.hpp (PAM4); NaN when not computed.
  double oma_outer_w = std::numeric_limits<double>::quiet_NaN();
  double extinction_ratio_db = std::numeric_limits<double>::quiet_NaN();
  double rlm = std::numeric_limits<double>::quiet_NaN();
  double tdecq_db = std::numeric_limits<double>::quiet_NaN();
  /// TDECQ unbounded (+∞): the eye's SER behind the reference receiver and FFE before any noise
  /// is added, above the 4.8e-4 target (TdecqResult::ser_without_added_noise); NaN otherwise.
  double tdecq_ser_without_added_noise = std::numeric_limits<double>::quiet_NaN();
  /// The transmitter's own noise (RMS optical power, W) at the reference receiver's output.
  double noise_rms_w = 0.0;
  std::vector<double> levels_w;   ///< P0 … P3 (PAM4); P0, P3 as OMA and ER take them (method)
  std::int64_t first_symbol = 0;  ///< the analysed window: symbols [first, first + count)
  std::int64_t symbols = 0;
  bool whole_period = false;  ///< the window is one whole period of the pattern
  /// The window is a noiseless pre-pass of the run's own symbols through fresh copies of the
  /// blocks up to the transmitter (link/ring_lock.hpp, noiseless_pre_pass), taken when the run
  /// holds no whole period after its start-up; false: the run's own noiseless capture.
  bool pre_pass = false;
  std::string method;
  /// Noiseless probe at the transmitter output: power (W) and unwrapped phase (rad) of the
  /// field, the first analysis.probe_uis UIs of the analysed window.
  double sample_rate_hz = 0.0;
  std::vector<double> power_w;
  std::vector<double> phase_rad;
};

struct LaneResult {
  int lane = 0;
  double wavelength_m = 0.0;
  SlicerResult slicer;
  double post_fec_ber = 0.0;
  std::optional<ReceiverDspReport> dsp;  ///< when the chain ends in ffe/dfe/mlse blocks
  /// The chain's sampled noiseless pulse response at the slicer (before any DSP stage), when
  /// analysis.statistical_eye is on.
  std::optional<SampledPulse> pulse;
  /// The statistical eye (after the DSP stage's FFE/DFE when there is one; not for MLSE).
  std::optional<StatisticalEye> statistical;
  std::string statistical_note;  ///< why there is no statistical eye, when there is none
  std::vector<Probe> probes;
  std::vector<BlockPower> power;
  std::vector<std::string> chain_description;
  std::optional<OpticalRxResult> optical_rx;
  /// Insertion loss of the lane's copper at the Nyquist frequency (symbol rate / 2), dB; NaN
  /// when the chain has no copper blocks.
  double insertion_loss_db_at_nyquist = std::numeric_limits<double>::quiet_NaN();
  /// Channel report (SDD21, pulse response, COM) of each copper run; filled by run_lane.
  std::vector<CopperChannelReport> copper;
  std::optional<TxResult> tx;  ///< when the chain has an optical transmitter and analyse_tx
  /// Run without the noiseless twin (analysis.monte_carlo_only): see the header for what is NaN.
  bool monte_carlo_only = false;
  /// The chain carries light (a block's output is optical): wavelength_m is the lane's carrier;
  /// on an all-electrical chain it is only the lane grid's slot.
  bool optical = false;
  /// The unit of the signal at the slicer, of the eye's levels, thresholds and heights and of the
  /// statistical eye: "V" (an electrical chain, or after a TIA) or "A" (a photocurrent straight
  /// from a photodetector). See chain_output_units.
  std::string slicer_unit = "V";
};

/// Each block's electrical power on a lane at its operating point (its power items summed), W,
/// by block label in chain order (a block that reports no power item is not listed; one whose
/// power is included in another block's lists its 0 W).
[[nodiscard]] std::vector<std::pair<std::string, double>> block_power_w(const LaneResult& lane);

/// The outputs a Monte-Carlo-only lane does not compute (JSON keys, for the summary's
/// "not_computed" list).
[[nodiscard]] const std::vector<std::string>& monte_carlo_only_not_computed();

/// One retimed segment of a link (DESIGN.md §4): the chain up to and including a `retimer`, or
/// from a retimer to the end. A link without retimers is one segment.
struct SegmentResult {
  std::string name;
  std::vector<LaneResult> lanes;
  double worst_ber = 0.0;  ///< the worst lane's BER in this segment
  double power_w = 0.0;    ///< this segment's blocks, all lanes
  /// power_w by category (the categories of LinkResult::power_breakdown_w, all listed).
  std::vector<std::pair<std::string, double>> power_breakdown_w;
};

struct LinkResult {
  std::string name;
  std::uint64_t seed = 1;
  std::vector<SegmentResult> segments;
  std::vector<LaneResult> lanes;  ///< the last segment's lanes (the far receiver)
  /// Per lane: the BER summed over segments (each retimer regenerates the symbols, so the
  /// segments' independent error events add), and the post-FEC BER of that total.
  std::vector<double> lane_ber;
  std::vector<double> lane_post_fec_ber;
  double worst_ber = 0.0;  ///< the worst lane's link BER (Monte-Carlo, or semi-analytic without it)
  bool closes = false;
  double power_per_lane_w = 0.0;
  double power_total_w = 0.0;
  double pj_per_bit = 0.0;
  std::vector<std::pair<std::string, double>> power_breakdown_w;  ///< by category, all lanes
  double elapsed_s = 0.0;
};

/// Runs one lane of the link. `copper_reports` false: the result's `copper` is left empty (run_link
/// computes the reports in tasks of their own, copper_channel_reports on build_copper_networks).
[[nodiscard]] LaneResult run_lane(const LinkConfig& config, int lane, bool copper_reports = true);

/// The signals leaving the first `blocks` blocks of a chain, noisy path and noiseless twin, chunk
/// by chunk. Re-runs that differ only after those blocks (the sensitivity search's attenuator
/// before the photodetector) replay them instead of recomputing them: the blocks are clones of
/// one fresh chain with the same noise mask, and every noise stream is seeded by (seed, lane,
/// block, chunk), so their output is bit for bit what the replay gives.
struct PrefixRecord {
  std::size_t blocks = 0;
  bool recorded = false;
  /// Chunks recorded at most (a run longer than the re-runs that replay it records their part).
  std::size_t max_chunks = std::numeric_limits<std::size_t>::max();
  std::vector<Signal> noisy, clean;  ///< per chunk, at the output of block `blocks` − 1
};

/// The noiseless output of block `block` over the first `symbols` symbols of a run, with the sent
/// level of each symbol (the received-OMA analysis reads the noiseless photocurrent this way
/// instead of re-running the chain up to the photodetector).
struct NoiselessTap {
  std::size_t block = 0;
  std::int64_t symbols = 0;
  std::vector<double> samples;   ///< filled by the run (electrical output of `block`)
  std::vector<int> levels;       ///< filled: sent level of each recorded symbol
  double latency_samples = 0.0;  ///< filled: bulk latency of blocks 0 … `block`
};

/// Runs one lane through a given, prepared chain with only the noise kinds of `noise_mask` on
/// (the noise budget and sensitivity analyses re-run modified chains through this). With
/// `analyse_tx`, the transmitter's optical output is captured and analysed (TxResult). With
/// `prefix`, its first blocks are recorded (not yet recorded) or replayed (recorded; the run must
/// be the recording run's config, noise mask and chain up to there). With `tap`, a noiseless
/// block output is recorded.
[[nodiscard]] LaneResult run_lane_with_chain(const LinkConfig& config, int lane,
                                             std::vector<std::unique_ptr<Block>> chain,
                                             unsigned noise_mask = all_noise,
                                             bool analyse_tx = false,
                                             PrefixRecord* prefix = nullptr,
                                             NoiselessTap* tap = nullptr);

/// The noiseless level means at the slicer of a tapped record, found exactly as a run of the chain
/// cut after the tapped block, with every noise off and `config`'s symbols (at most the record's),
/// would find them: the same calibration record, timing and accumulation.
[[nodiscard]] std::vector<double> noiseless_level_means(const LinkConfig& config,
                                                        const NoiselessTap& tap);

/// Post-FEC BER for `fec` (none, kp4, kp4_inner) at input BER `ber`.
[[nodiscard]] double post_fec_ber(const std::string& fec, double ber);
/// The BER a lane reports: Monte-Carlo when it counted errors, else semi-analytic; Monte-Carlo
/// always when the lane ran without its noiseless twin.
[[nodiscard]] double lane_ber(const LinkConfig& config, const LaneResult& lane);

/// Runs every segment and lane (in parallel over `threads`, 0 = OpenMP's default). Results do not
/// depend on the thread count.
[[nodiscard]] LinkResult run_link(const LinkConfig& config, int threads);

}  // namespace optilane
