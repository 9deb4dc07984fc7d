// Sweeps (`optilane sweep`): a link config run at many points of a design space, one row of
// summary figures per point.
//
// Each `--vary KEY=...` is an axis: KEY is a dotted path with the syntax of `--set`
// (`chain.fiber.length`, `chain.3.bandwidth`); its values are a list `v1,v2,...` or a range
// `START:STOP:STEP` that keeps its unit (`0.5km:2km:0.5km` → 0.5 km, 1 km, 1.5 km, 2 km; STOP is
// included when it falls on the grid). The points are the Cartesian product of the axes, the first
// axis varying slowest (nested loops in the order given), or with `zip` the i-th value of every
// axis together.
//
// Seeds: every point runs with the config's seed (after `--seed`), not a seed derived from the
// point index. A point is therefore exactly `optilane run CONFIG --set KEY=VALUE...` with the same
// seed, which anyone can rerun alone, and neighbouring points share their noise and pattern
// realisations (common random numbers), so differences between points are the design change and
// not Monte-Carlo scatter. Independent replicates are an axis like any other:
// `--vary signal.seed=1:10:1`.
//
// Every axis value is checked before the run (Sweep's constructor): one its key cannot take is
// bad input (exit 2). A point that still fails (a combination of values the config refuses, a
// numerical failure) records its error and the others complete; when every point fails, the
// sweep exits non-zero.
// Rows do not depend on the thread count, nor on how points are split across MPI ranks.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "link/config_tree.hpp"

namespace optilane {

/// One `--vary` axis.
struct VaryAxis {
  std::string key;                  ///< dotted path, as for --set
  std::vector<std::string> values;  ///< each a valid --set value ("1.5 km")
  std::string argument;             ///< as given after --vary, for messages
};

/// Parses `KEY=START:STOP:STEP` or `KEY=v1,v2,...`; throws InputError (exit 2) on bad syntax.
[[nodiscard]] VaryAxis parse_vary(const std::string& argument);

/// The SI value of a quantity given with any unit ("2 km" → 2000, "13 dBm" → 0.01995, "19 dB" →
/// 19, "0.5" → 0.5); NaN when the text is not a quantity ("pam4").
[[nodiscard]] double quantity_si_any(const std::string& text);

struct SweepSpec {
  std::string config_path;
  std::vector<std::string> overrides;  ///< --set (and --seed), applied before the axes
  std::vector<VaryAxis> axes;
  bool zip = false;
};

/// The summary figures of one point. BERs and eye figures are those of the worst lane.
struct SweepRow {
  std::size_t index = 0;
  std::vector<std::string> values;  ///< one per axis, as applied
  std::vector<double> values_si;    ///< one per axis (NaN when not a quantity)
  std::string error;                ///< empty when the point ran
  double ber = 0.0;              ///< the link's decision BER (as `run`: MC, or semi without errors)
  double ber_monte_carlo = 0.0;  ///< worst lane; NaN when Monte-Carlo is off
  double ber_monte_carlo_ci95_low = 0.0, ber_monte_carlo_ci95_high = 0.0;
  std::uint64_t bit_errors = 0, bits = 0;  ///< of the lane with the worst Monte-Carlo BER
  double ber_semi_analytic = 0.0;          ///< worst lane
  double post_fec_ber = 0.0;               ///< worst lane
  bool closes = false;
  double snr_db = 0.0;             ///< lowest over lanes
  std::vector<double> eye_height;  ///< per eye, lowest over lanes, at the target BER
  /// The unit of eye_height: the signal at the slicer, "V" or "A" (LaneResult::slicer_unit);
  /// empty for a failed point.
  std::string eye_height_unit;
  std::vector<double> eye_width_ui;  ///< per eye, lowest over lanes, at the target BER
  double power_total_w = 0.0, power_per_lane_w = 0.0, pj_per_bit = 0.0;
  /// Copper lanes: the highest insertion loss at Nyquist and the lowest COM over lanes and copper
  /// runs, dB; NaN when the chain has no copper (or `analysis.com` is off for COM).
  double insertion_loss_db_at_nyquist = 0.0, com_db = 0.0;
};

/// A sweep ready to run: the base config resolved and validated, the axes checked.
class Sweep {
 public:
  /// Throws InputError (exit 2) when the config (with --set) is invalid, an axis names an
  /// unknown key or a chain item that does not exist, an axis has a value its key cannot take
  /// (with the other axes at their first values), a key is given twice, or `zip` axes differ in
  /// length.
  explicit Sweep(SweepSpec spec);

  [[nodiscard]] std::size_t size() const { return size_; }
  [[nodiscard]] const SweepSpec& spec() const { return spec_; }
  [[nodiscard]] const ConfigNode& base() const { return base_; }
  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::uint64_t seed() const { return seed_; }
  /// The files the base config reads (LinkConfig::input_files).
  [[nodiscard]] const std::vector<std::string>& input_files() const { return input_files_; }
  /// The base config's analysis.target_ber (a point may vary it).
  [[nodiscard]] double target_ber() const { return target_ber_; }
  /// The values of point `index`, one per axis.
  [[nodiscard]] std::vector<std::string> point_values(std::size_t index) const;
  /// The `--set` assignments that reproduce point `index` with `optilane run`.
  [[nodiscard]] std::vector<std::string> point_overrides(std::size_t index) const;
  /// Runs point `index` single-threaded. Never throws: failures are recorded in the row.
  [[nodiscard]] SweepRow run_point(std::size_t index) const;

 private:
  void check_axis_values() const;

  SweepSpec spec_;
  ConfigNode base_;
  std::string name_;
  std::uint64_t seed_ = 1;
  double target_ber_ = 0.0;
  std::size_t size_ = 0;
  std::vector<std::string> input_files_;
};

/// True when the row's point failed on bad input (a value its key cannot take, a combination of
/// values the config refuses), not on a numerical or internal failure.
[[nodiscard]] bool failed_on_input(const SweepRow& row);

/// Runs the points `indices` in parallel over `threads` (0: OpenMP's default), one point per
/// thread at a time. `on_point_done` is called (from any thread, serialised) after each point.
[[nodiscard]] std::vector<SweepRow> run_sweep_points(const Sweep& sweep,
                                                     std::span<const std::size_t> indices,
                                                     int threads,
                                                     const std::function<void()>& on_point_done);

/// One row as JSON (non-finite numbers as null), and back (exactly: doubles round-trip).
[[nodiscard]] nlohmann::ordered_json sweep_row_json(const Sweep& sweep, const SweepRow& row);
[[nodiscard]] SweepRow sweep_row_from_json(const Sweep& sweep, const nlohmann::ordered_json& j);

/// The results table: provenance, the axes, the seed policy and one row per point (rows sorted
/// by index).
[[nodiscard]] nlohmann::ordered_json sweep_json(const Sweep& sweep,
                                                const std::vector<SweepRow>& rows);

/// A readable table for standard output.
[[nodiscard]] std::string sweep_table(const Sweep& sweep, const std::vector<SweepRow>& rows);

}  // namespace optilane
