// The validation suite: cases that hold a model or a whole link against a published figure or a
// closed-form result (validation/*.yaml), run by `optilane validate`.
//
// A case file:
//   name: fiber-dispersion-1271nm          # defaults to the file name
//   category: fibre                        # one of the categories below
//   quantity: dispersion_ps_per_nm_km      # what is compared (a metric, a JSON path, a function)
//   expected: -5.19                        # in `unit`
//   unit: ps/nm/km                         # for display
//   tolerance: {absolute: 0.02}            # or {relative: 0.05}; from the source's own spread
//   limit: upper                           # optional: `expected` is a specification limit; the
//                                          #   case passes when got <= expected (upper) or
//                                          #   got >= expected (lower), tolerance optional
//   source: "ITU-T G.652 ..."              # standard and clause, datasheet and part, or paper+URL
//   note: "one line"
//   quick: true                            # part of the short CI form (`--quick`)
//   known_deviation: "why it fails"        # optional: a standing, explained failure (the model
//                                          #   or the source is known to be wrong). It is shown as
//                                          #   `known` and does not fail `optilane validate`; if it
//                                          #   starts to pass it does ("unexpected pass": revisit)
//   requires: [../../../shared/channels/x.s4p]  # optional: reference data the project does not
//                                          #   ship (paths relative to the case file); when one
//                                          #   is absent the case is `skipped`, not failed
// and exactly one of:
//   block: {block: fiber, length: 1 km}    # a single block; `quantity` is its metric() name,
//   argument: 1271 nm                      #   with an optional argument (a quantity with unit)
//   lane: {symbol_rate: 53.125 GBd, wavelength: 1271 nm}   # the lane the block is prepared for
//   run: ../examples/dr-500m-1311.yaml     # a link config (relative to the case file), or
//   config: {...}                          #   an inline config; `quantity` is a path into the JSON
//   set: ["chain.fiber.length=2km"]        #   summary, e.g. segments.0.lanes.0.ber.semi_analytic
//   function: kp4_post_fec_ber             # a library function; `argument` its input
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace optilane {

struct ValidationCase {
  std::string file;
  std::string name;
  std::string category;
  std::string quantity;
  double expected = 0.0;
  std::string unit;
  double tolerance = 0.0;
  bool relative = false;  ///< tolerance is a fraction of |expected|
  /// "" (two-sided), "upper" (got ≤ expected + tolerance) or "lower" (got ≥ expected − tolerance):
  /// for specification limits such as an IEEE maximum sensitivity.
  std::string limit;
  std::string source;
  std::string note;
  bool quick = false;
  /// Non-empty: the case is a known, explained deviation (see the file comment).
  std::string known_deviation;
  /// Reference files the case reads that are not part of the project (e.g. ../shared's IEEE
  /// channels), resolved against the case file; any absent → the case is skipped.
  std::vector<std::string> required_files;
  // exactly one of:
  std::optional<std::string> block_yaml;   ///< the block's map, as YAML text
  std::optional<std::string> run_path;     ///< a config file
  std::optional<std::string> config_yaml;  ///< an inline config
  std::optional<std::string> function;     ///< a library function
  std::vector<std::string> sets;
  std::optional<double> argument;  ///< SI
  double lane_symbol_rate_bd = 53.125e9;
  double lane_wavelength_m = 1311e-9;
  int lane_samples_per_symbol = 16;
};

struct ValidationResult {
  const ValidationCase* source_case = nullptr;
  std::optional<double> got;
  double deviation = 0.0;  ///< got − expected (absolute) or (got − expected)/|expected| (relative)
  bool pass = false;
  std::string error;  ///< when the case could not be evaluated
  /// Non-empty: the case was not evaluated because this required reference file is absent.
  std::string missing_file;
  double seconds = 0.0;
};

/// A case's verdict.
enum class ValidationStatus {
  pass,             ///< passes
  fail,             ///< fails
  known,            ///< a known deviation that fails as recorded
  unexpected_pass,  ///< a known deviation that passes: its record is stale
  skipped,          ///< not evaluated: a required reference file is absent
};
[[nodiscard]] ValidationStatus validation_status(const ValidationResult& r);
/// "pass", "FAIL", "known", "unexpected pass", "skipped" (the JSON `status` and the table's words).
[[nodiscard]] std::string_view to_string(ValidationStatus status);
/// True when the case does not fail the suite: it passes, it is a known deviation that fails, or
/// it was skipped for want of reference data the project does not ship.
[[nodiscard]] bool validation_ok(const ValidationResult& r);

/// Loads every case under `directory` (recursively), sorted by name. Malformed cases are
/// InputErrors with file, line and key.
[[nodiscard]] std::vector<ValidationCase> load_validation_cases(const std::string& directory);
/// Loads one case file.
[[nodiscard]] ValidationCase load_validation_case(const std::string& path);
/// Evaluates one case (never throws: failures are recorded in the result).
[[nodiscard]] ValidationResult evaluate_case(const ValidationCase& c);
/// Evaluates many cases in parallel (results in the same order).
[[nodiscard]] std::vector<ValidationResult> evaluate_cases(const std::vector<ValidationCase>& cases,
                                                           int threads);
/// The table printed by `optilane validate`.
[[nodiscard]] std::string validation_table(const std::vector<ValidationResult>& results);
/// One JSON row per case: name, category, quantity, expected, got, tolerance, pass, source.
[[nodiscard]] nlohmann::json validation_json(const std::vector<ValidationResult>& results);
/// docs/validation.md: the table with links to the sources.
[[nodiscard]] std::string validation_markdown(const std::vector<ValidationResult>& results);
/// Reads a number from a JSON document by a dotted path ("segments.0.lanes.0.ber.monte_carlo").
[[nodiscard]] std::optional<double> json_path_number(const nlohmann::json& document,
                                                     const std::string& path);

}  // namespace optilane
