#include "link/sweep.hpp"

#include <omp.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "link/lane_runner.hpp"
#include "link/link_config.hpp"
#include "optilane/version.hpp"
#include "phy/errors.hpp"
#include "phy/units.hpp"

namespace optilane {
namespace {

constexpr double nan = std::numeric_limits<double>::quiet_NaN();
constexpr std::size_t max_points = 10'000'000;  // a typo guard: more is not a study, it is a bug
// Range endpoints are compared after (STOP − START)/STEP, which rounds; this slack keeps a STOP
// that lies on the grid ("0.1:0.3:0.1" → 0.1, 0.2, 0.3).
constexpr double grid_slack = 1e-9;

std::string trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t");
  return std::string(s.substr(first, last - first + 1));
}

/// Splits at `separator` outside brackets, braces and quotes (YAML flow values may contain both
/// commas and colons).
std::vector<std::string> split_top_level(std::string_view text, char separator) {
  std::vector<std::string> parts;
  int depth = 0;
  char quote = 0;
  std::string current;
  for (char c : text) {
    if (quote != 0) {
      if (c == quote) quote = 0;
    } else if (c == '"' || c == '\'') {
      quote = c;
    } else if (c == '[' || c == '{') {
      ++depth;
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    } else if (c == separator && depth == 0) {
      parts.push_back(current);
      current.clear();
      continue;
    }
    current += c;
  }
  parts.push_back(current);
  return parts;
}

/// "0.5km" → {0.5, "km", ""}; "2 km" → {2, "km", " "}; nullopt when it does not start with a
/// number. "nan" and "inf" are numbers here, so that a range with such a bound is recognised as
/// a range (and refused) rather than taken as one literal value.
struct NumberWithUnit {
  double number = 0.0;
  std::string unit;
  std::string separator;
};
std::optional<NumberWithUnit> split_number(const std::string& text) {
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  if (begin != end && *begin == '+') ++begin;
  double number = 0.0;
  const auto [ptr, ec] = std::from_chars(begin, end, number);
  if (ec != std::errc() || ptr == begin) return std::nullopt;
  const std::string rest(ptr, end);
  NumberWithUnit result{.number = number, .unit = trim(rest), .separator = ""};
  if (!result.unit.empty() && (rest.front() == ' ' || rest.front() == '\t')) result.separator = " ";
  return result;
}

/// The dimension a unit belongs to and its factor to SI when the unit is linear (0 ↦ 0, 2 ↦ 2×),
/// nullopt otherwise (dBm, °C) or when the unit is unknown.
struct LinearUnit {
  int dimension = 0;
  double to_si = 1.0;
};
std::optional<LinearUnit> linear_unit(const std::string& unit) {
  for (int d = 0; d <= static_cast<int>(Dimension::angle); ++d) {
    try {
      const auto dimension = static_cast<Dimension>(d);
      const double zero = parse_quantity("0 " + unit, dimension);
      const double one = parse_quantity("1 " + unit, dimension);
      const double two = parse_quantity("2 " + unit, dimension);
      if (zero != 0.0 || std::abs(two - 2.0 * one) > 1e-12 * std::abs(one)) return std::nullopt;
      return LinearUnit{d, one};
    } catch (const InputError&) {
    }
  }
  return std::nullopt;
}

VaryAxis parse_range(const std::string& argument, const std::string& key,
                     const std::vector<std::string>& parts) {
  const auto fail = [&](const std::string& why) {
    return InputError("--vary " + argument + ": " + why);
  };
  const auto start = split_number(trim(parts[0]));
  const auto stop = split_number(trim(parts[1]));
  auto step = split_number(trim(parts[2]));
  if (!start || !stop || !step) throw fail("START, STOP and STEP must each be a number");
  for (const auto& [bound, what] : {std::pair{*start, "START"}, {*stop, "STOP"}, {*step, "STEP"}}) {
    if (!std::isfinite(bound.number)) throw fail(fmt::format("{} must be finite", what));
  }
  if (step->unit.empty()) step->unit = start->unit;
  double stop_value = stop->number;
  double step_value = step->number;
  // STOP and STEP in START's unit. A step in dB on a level in dBm (or a ratio in dB) adds.
  auto convert = [&](const NumberWithUnit& q, double& value, const char* what) {
    if (q.unit == start->unit) return;
    if (q.unit == "dB" && (start->unit == "dBm" || start->unit == "dB")) return;
    const auto from = linear_unit(q.unit);
    const auto to = linear_unit(start->unit);
    if (!from || !to || from->dimension != to->dimension) {
      throw fail(fmt::format("{} is in '{}' but START is in '{}'; give them one unit", what, q.unit,
                             start->unit));
    }
    value = value * from->to_si / to->to_si;
  };
  convert(*stop, stop_value, "STOP");
  convert(*step, step_value, "STEP");
  if (!start->unit.empty() && std::isnan(quantity_si_any("1 " + start->unit))) {
    throw fail("unknown unit '" + start->unit + "'");
  }
  if (step_value == 0.0) throw fail("STEP must not be zero");
  const double steps = (stop_value - start->number) / step_value;
  if (steps < -grid_slack) throw fail("STEP goes away from STOP (check its sign)");
  if (steps + 1.0 > static_cast<double>(max_points)) {
    throw fail(fmt::format("{:.3g} values; at most {} per axis", steps + 1.0, max_points));
  }
  const auto count = static_cast<std::size_t>(std::floor(steps + grid_slack)) + 1;
  VaryAxis axis{.key = key, .values = {}, .argument = argument};
  for (std::size_t i = 0; i < count; ++i) {
    double x = start->number + static_cast<double>(i) * step_value;
    if (std::abs(x) < 1e-12 * std::abs(step_value)) x = 0.0;  // no "-0" or "5.6e-17"
    // 12 significant digits hide the rounding of START + i·STEP (0.30000000000000004 → 0.3).
    axis.values.push_back(fmt::format("{:.12g}{}{}", x, start->separator, start->unit));
  }
  return axis;
}

std::vector<std::string> split_path_segments(const std::string& key) {
  std::vector<std::string> segments;
  std::size_t start = 0;
  while (true) {
    const auto dot = key.find('.', start);
    segments.push_back(key.substr(start, dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return segments;
}

/// True when `error` reports an unknown key that is one of the segments of `key`: the axis
/// names a key no block or section takes, whatever its value.
bool is_unknown_key_error(const InputError& error, const std::string& key) {
  if (std::string_view(error.what()).find(": unknown key") == std::string_view::npos) return false;
  const std::string& where = error.where().key;
  const std::string last =
      where.substr(where.find_last_of('.') == std::string::npos ? 0 : where.find_last_of('.') + 1);
  const auto segments = split_path_segments(key);
  return std::find(segments.begin(), segments.end(), last) != segments.end();
}

nlohmann::ordered_json number_or_null(double v) {
  return std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json(nullptr);
}
double number_from(const nlohmann::ordered_json& j) {
  return j.is_number() ? j.get<double>() : nan;
}
nlohmann::ordered_json numbers(const std::vector<double>& values) {
  auto array = nlohmann::ordered_json::array();
  for (double v : values) array.push_back(number_or_null(v));
  return array;
}
std::vector<double> numbers_from(const nlohmann::ordered_json& j) {
  std::vector<double> values;
  for (const auto& v : j) values.push_back(number_from(v));
  return values;
}

void fill_row(SweepRow& row, const LinkConfig& config, const LinkResult& result) {
  const bool mc = config.analysis.monte_carlo.enabled;
  row.ber = result.worst_ber;
  row.closes = result.closes;
  row.ber_monte_carlo = mc ? 0.0 : nan;
  row.ber_monte_carlo_ci95_low = row.ber_monte_carlo_ci95_high = mc ? 0.0 : nan;
  row.ber_semi_analytic = 0.0;
  row.post_fec_ber = 0.0;
  row.snr_db = std::numeric_limits<double>::infinity();
  row.insertion_loss_db_at_nyquist = row.com_db = nan;
  const LaneResult* worst_mc = nullptr;
  for (const auto& lane : result.lanes) {
    const SlicerResult& s = lane.slicer;
    if (mc && (worst_mc == nullptr || s.ber_monte_carlo > worst_mc->slicer.ber_monte_carlo)) {
      worst_mc = &lane;
    }
    row.ber_semi_analytic = std::max(row.ber_semi_analytic, s.ber_semi_analytic);
    row.post_fec_ber = std::max(row.post_fec_ber, lane.post_fec_ber);
    row.snr_db = std::min(row.snr_db, s.snr_db);
    if (std::isfinite(lane.insertion_loss_db_at_nyquist) &&
        !(lane.insertion_loss_db_at_nyquist <= row.insertion_loss_db_at_nyquist)) {
      row.insertion_loss_db_at_nyquist = lane.insertion_loss_db_at_nyquist;
    }
    for (const auto& copper : lane.copper) {
      if (copper.com && !(copper.com->com_db >= row.com_db)) row.com_db = copper.com->com_db;
    }
    if (row.eye_height.size() < s.eye_height.size()) {
      row.eye_height.resize(s.eye_height.size(), std::numeric_limits<double>::infinity());
    }
    if (row.eye_width_ui.size() < s.eye_width_ui.size()) {
      row.eye_width_ui.resize(s.eye_width_ui.size(), std::numeric_limits<double>::infinity());
    }
    for (std::size_t e = 0; e < s.eye_height.size(); ++e) {
      row.eye_height[e] = std::min(row.eye_height[e], s.eye_height[e]);
    }
    for (std::size_t e = 0; e < s.eye_width_ui.size(); ++e) {
      row.eye_width_ui[e] = std::min(row.eye_width_ui[e], s.eye_width_ui[e]);
    }
  }
  if (config.analysis.monte_carlo_only) {
    // Not computed without the noiseless twin (lane_runner.hpp): NaN, not a max/min over NaNs.
    row.ber_semi_analytic = row.snr_db = nan;
    std::fill(row.eye_height.begin(), row.eye_height.end(), nan);
    std::fill(row.eye_width_ui.begin(), row.eye_width_ui.end(), nan);
  }
  if (worst_mc != nullptr) {
    row.ber_monte_carlo = worst_mc->slicer.ber_monte_carlo;
    row.ber_monte_carlo_ci95_low = worst_mc->slicer.ber_ci95_low;
    row.ber_monte_carlo_ci95_high = worst_mc->slicer.ber_ci95_high;
    row.bit_errors = worst_mc->slicer.bit_errors;
    row.bits = worst_mc->slicer.bits;
  }
  row.power_total_w = result.power_total_w;
  row.power_per_lane_w = result.power_per_lane_w;
  row.pj_per_bit = result.pj_per_bit;
  // Every lane runs the same chain: one unit at the slicer.
  row.eye_height_unit = result.lanes.empty() ? "V" : result.lanes.front().slicer_unit;
}

/// The start of a failed row's error when the point's input was bad (failed_on_input).
constexpr std::string_view bad_input_prefix = "bad input: ";

/// "chain[2] (filter).bandwidth" or "chain[2].block" → "chain.2.bandwidth", "chain.2.block": an
/// error's key in the form of a --vary key with its chain item as an index.
std::string dotted_key(std::string key) {
  if (key.rfind("chain[", 0) != 0) return key;
  const auto close = key.find(']');
  if (close == std::string::npos) return key;
  std::string rest = key.substr(close + 1);
  if (rest.rfind(" (", 0) == 0) rest = rest.substr(std::min(rest.size(), rest.find(')') + 1));
  return "chain." + key.substr(6, close - 6) + rest;
}

/// `axis_key` with a chain item named by block or `name:` replaced by its index in `tree` (as
/// apply_override finds it).
std::string indexed_key(const std::string& axis_key, const ConfigNode& tree) {
  auto segments = split_path_segments(axis_key);
  const ConfigNode* chain = tree.find("chain");
  if (segments.size() < 2 || segments[0] != "chain" || chain == nullptr) return axis_key;
  for (std::size_t i = 0; i < chain->sequence.size(); ++i) {
    const ConfigNode* block = chain->sequence[i].find("block");
    const ConfigNode* name = chain->sequence[i].find("name");
    if ((name != nullptr && name->scalar == segments[1]) ||
        (block != nullptr && block->scalar == segments[1])) {
      segments[1] = std::to_string(i);
      break;
    }
  }
  std::string key;
  for (const auto& segment : segments) key += (key.empty() ? "" : ".") + segment;
  return key;
}

/// True when `error` is about the value an axis set at `axis_key`: it stands at a value from the
/// command line, under that key (or an item or key inside it).
bool is_error_of_value(const InputError& error, const std::string& axis_key,
                       const ConfigNode& tree) {
  if (error.where().file.rfind("<command line", 0) != 0) return false;
  const std::string at = dotted_key(error.where().key);
  const std::string key = indexed_key(axis_key, tree);
  return at == key || at.rfind(key + ".", 0) == 0 || at.rfind(key + "[", 0) == 0;
}

void mark_failed(SweepRow& row, std::string message) {
  row.error = std::move(message);
  row.ber = row.ber_monte_carlo = row.ber_semi_analytic = row.post_fec_ber = nan;
  row.ber_monte_carlo_ci95_low = row.ber_monte_carlo_ci95_high = nan;
  row.bit_errors = row.bits = 0;
  row.closes = false;
  row.snr_db = nan;
  row.eye_height.clear();
  row.eye_height_unit.clear();
  row.eye_width_ui.clear();
  row.power_total_w = row.power_per_lane_w = row.pj_per_bit = nan;
  row.insertion_loss_db_at_nyquist = row.com_db = nan;
}

}  // namespace

double quantity_si_any(const std::string& text) {
  for (int d = 0; d <= static_cast<int>(Dimension::angle); ++d) {
    try {
      return parse_quantity(text, static_cast<Dimension>(d));
    } catch (const InputError&) {
    }
  }
  return nan;
}

VaryAxis parse_vary(const std::string& argument) {
  const auto eq = argument.find('=');
  const std::string usage = "expected KEY=START:STOP:STEP or KEY=v1,v2,... (KEY as for --set)";
  if (eq == std::string::npos) throw InputError("--vary " + argument + ": " + usage);
  const std::string key = trim(argument.substr(0, eq));
  const std::string text = argument.substr(eq + 1);
  if (key.empty() || trim(text).empty()) throw InputError("--vary " + argument + ": " + usage);
  for (const auto& segment : split_path_segments(key)) {
    if (segment.empty() || segment.find_first_of(" \t") != std::string::npos) {
      throw InputError("--vary " + argument + ": the key '" + key + "' is not a dotted path");
    }
  }
  const auto items = split_top_level(text, ',');
  if (items.size() == 1) {
    const auto parts = split_top_level(text, ':');
    const bool numeric = std::all_of(parts.begin(), parts.end(), [](const std::string& p) {
      return split_number(trim(p)).has_value();
    });
    if (parts.size() == 3 && numeric) return parse_range(argument, key, parts);
    if (parts.size() > 1 && numeric) {
      throw InputError("--vary " + argument + ": a range needs START:STOP:STEP");
    }
  }
  VaryAxis axis{.key = key, .values = {}, .argument = argument};
  for (const auto& item : items) {
    const std::string value = trim(item);
    if (value.empty()) throw InputError("--vary " + argument + ": an empty value in the list");
    axis.values.push_back(value);
  }
  return axis;
}

Sweep::Sweep(SweepSpec spec) : spec_(std::move(spec)) {
  if (spec_.axes.empty()) throw InputError("sweep: give at least one --vary");
  std::set<std::string> keys;
  for (const auto& assignment : spec_.overrides)
    keys.insert(assignment.substr(0, assignment.find('=')));
  std::set<std::string> axis_keys;
  for (const auto& axis : spec_.axes) {
    if (!axis_keys.insert(axis.key).second) {
      throw InputError("--vary " + axis.key + ": the key is varied twice");
    }
    if (keys.count(axis.key) != 0) {
      throw InputError("--vary " + axis.key + ": the key is also fixed by --set or --seed");
    }
  }

  base_ = resolve_config(spec_.config_path, spec_.overrides);
  const LinkConfig config = parse_link_config(base_);
  name_ = config.name;
  seed_ = config.signal.seed;
  input_files_ = config.input_files;
  target_ber_ = config.analysis.target_ber;

  if (spec_.zip) {
    size_ = spec_.axes.front().values.size();
    for (const auto& axis : spec_.axes) {
      if (axis.values.size() != size_) {
        throw InputError(fmt::format(
            "--zip pairs the i-th values of every axis, but --vary {} has {} values and --vary "
            "{} has {}",
            spec_.axes.front().key, size_, axis.key, axis.values.size()));
      }
    }
  } else {
    size_ = 1;
    for (const auto& axis : spec_.axes) {
      if (axis.values.size() > max_points / size_) {
        throw InputError(fmt::format("sweep: more than {} points", max_points));
      }
      size_ *= axis.values.size();
    }
  }

  check_axis_values();
}

void Sweep::check_axis_values() const {
  // Each axis must name a key the config can take, whatever the value: a structural error (no
  // such chain item) or an unknown key is bad input now, not a failed point later. And every
  // value must be one its key takes -- a length given for a frequency, a fraction for a count:
  // each value is checked once, with the other axes at their first value (the sum of the axes'
  // lengths in parses, not their product). An error about another key (this value with another
  // axis's value, say) is the point's: the points that meet it record it and the others run.
  const auto& axes = spec_.axes;
  for (std::size_t a = 0; a < axes.size(); ++a) {
    for (const auto& value : axes[a].values) {
      ConfigNode trial = base_;
      for (std::size_t b = 0; b < axes.size(); ++b) {
        const std::string& v = b == a ? value : axes[b].values.front();
        try {
          apply_override(trial, axes[b].key + "=" + v);
        } catch (const InputError& e) {
          throw InputError("--vary " + axes[b].key + "=" + v + ": " + e.what());
        }
      }
      try {
        (void)parse_link_config(trial, false);
      } catch (const InputError& e) {
        if (is_unknown_key_error(e, axes[a].key)) {
          throw InputError("--vary " + axes[a].key + ": " + e.what());
        }
        if (is_error_of_value(e, axes[a].key, trial)) {
          const std::string& given = axes[a].argument.empty() ? axes[a].key : axes[a].argument;
          throw InputError("--vary " + given + ": value '" + value + "': " + e.what());
        }
      }
    }
  }
}

bool failed_on_input(const SweepRow& row) {
  return row.error.rfind(bad_input_prefix, 0) == 0;
}

std::vector<std::string> Sweep::point_values(std::size_t index) const {
  std::vector<std::string> values(spec_.axes.size());
  if (spec_.zip) {
    for (std::size_t a = 0; a < spec_.axes.size(); ++a) values[a] = spec_.axes[a].values[index];
    return values;
  }
  std::size_t rest = index;  // the last axis varies fastest
  for (std::size_t a = spec_.axes.size(); a-- > 0;) {
    const std::size_t n = spec_.axes[a].values.size();
    values[a] = spec_.axes[a].values[rest % n];
    rest /= n;
  }
  return values;
}

std::vector<std::string> Sweep::point_overrides(std::size_t index) const {
  const auto values = point_values(index);
  std::vector<std::string> overrides;
  for (std::size_t a = 0; a < values.size(); ++a)
    overrides.push_back(spec_.axes[a].key + "=" + values[a]);
  return overrides;
}

SweepRow Sweep::run_point(std::size_t index) const {
  SweepRow row;
  row.index = index;
  try {
    row.values = point_values(index);
    for (const auto& value : row.values) row.values_si.push_back(quantity_si_any(value));
    ConfigNode tree = base_;
    for (const auto& assignment : point_overrides(index)) apply_override(tree, assignment);
    LinkConfig config = parse_link_config(tree);
    config.analysis.statistical_eye_contours = false;  // the table holds no contour map
    fill_row(row, config, run_link(config, 1));
  } catch (const InputError& e) {
    mark_failed(row, std::string(bad_input_prefix) + e.what());
  } catch (const NumericError& e) {
    mark_failed(row, std::string("numerical failure: ") + e.what());
  } catch (const std::exception& e) {
    mark_failed(row, std::string("internal error: ") + e.what());
  } catch (...) {
    mark_failed(row, "internal error: unknown exception");
  }
  return row;
}

std::vector<SweepRow> run_sweep_points(const Sweep& sweep, std::span<const std::size_t> indices,
                                       int threads, const std::function<void()>& on_point_done) {
  std::vector<SweepRow> rows(indices.size());
  const int team = threads > 0 ? threads : omp_get_max_threads();
  const auto count = static_cast<std::int64_t>(indices.size());
  // Points in parallel, each point single-threaded inside: points are independent and
  // coarse-grained, so this scales where threads inside one small point would not.
#pragma omp parallel for schedule(dynamic, 1) num_threads(team)
  for (std::int64_t j = 0; j < count; ++j) {
    rows[static_cast<std::size_t>(j)] = sweep.run_point(indices[static_cast<std::size_t>(j)]);
    if (on_point_done) {
#pragma omp critical(optilane_sweep_progress)
      on_point_done();
    }
  }
  return rows;
}

nlohmann::ordered_json sweep_row_json(const Sweep& sweep, const SweepRow& row) {
  using nlohmann::ordered_json;
  ordered_json values = ordered_json::object();
  ordered_json values_si = ordered_json::object();
  for (std::size_t a = 0; a < sweep.spec().axes.size() && a < row.values.size(); ++a) {
    values[sweep.spec().axes[a].key] = row.values[a];
    values_si[sweep.spec().axes[a].key] = number_or_null(row.values_si[a]);
  }
  ordered_json j;
  j["index"] = row.index;
  j["values"] = values;
  j["values_si"] = values_si;
  j["ok"] = row.error.empty();
  j["error"] = row.error.empty() ? ordered_json(nullptr) : ordered_json(row.error);
  j["ber"] = number_or_null(row.ber);
  j["ber_monte_carlo"] = number_or_null(row.ber_monte_carlo);
  j["ber_monte_carlo_ci95"] =
      numbers({row.ber_monte_carlo_ci95_low, row.ber_monte_carlo_ci95_high});
  j["bit_errors"] = row.bit_errors;
  j["bits"] = row.bits;
  j["ber_semi_analytic"] = number_or_null(row.ber_semi_analytic);
  j["post_fec_ber"] = number_or_null(row.post_fec_ber);
  j["closes"] = row.closes;
  j["snr_db"] = number_or_null(row.snr_db);
  j["eye_height"] = numbers(row.eye_height);
  j["eye_height_unit"] =
      row.eye_height_unit.empty() ? ordered_json(nullptr) : ordered_json(row.eye_height_unit);
  j["eye_width_ui"] = numbers(row.eye_width_ui);
  j["power_total_w"] = number_or_null(row.power_total_w);
  j["power_per_lane_w"] = number_or_null(row.power_per_lane_w);
  j["pj_per_bit"] = number_or_null(row.pj_per_bit);
  j["insertion_loss_db_at_nyquist"] = number_or_null(row.insertion_loss_db_at_nyquist);
  j["com_db"] = number_or_null(row.com_db);
  return j;
}

SweepRow sweep_row_from_json(const Sweep& sweep, const nlohmann::ordered_json& j) {
  SweepRow row;
  row.index = j.at("index").get<std::size_t>();
  for (const auto& axis : sweep.spec().axes) {
    if (!j.at("values").contains(axis.key)) continue;
    row.values.push_back(j.at("values").at(axis.key).get<std::string>());
    row.values_si.push_back(number_from(j.at("values_si").at(axis.key)));
  }
  row.error = j.at("error").is_string() ? j.at("error").get<std::string>() : std::string();
  row.ber = number_from(j.at("ber"));
  row.ber_monte_carlo = number_from(j.at("ber_monte_carlo"));
  row.ber_monte_carlo_ci95_low = number_from(j.at("ber_monte_carlo_ci95").at(0));
  row.ber_monte_carlo_ci95_high = number_from(j.at("ber_monte_carlo_ci95").at(1));
  row.bit_errors = j.at("bit_errors").get<std::uint64_t>();
  row.bits = j.at("bits").get<std::uint64_t>();
  row.ber_semi_analytic = number_from(j.at("ber_semi_analytic"));
  row.post_fec_ber = number_from(j.at("post_fec_ber"));
  row.closes = j.at("closes").get<bool>();
  row.snr_db = number_from(j.at("snr_db"));
  row.eye_height = numbers_from(j.at("eye_height"));
  if (j.at("eye_height_unit").is_string()) {  // null for a failed point
    row.eye_height_unit = j.at("eye_height_unit").get<std::string>();
  }
  row.eye_width_ui = numbers_from(j.at("eye_width_ui"));
  row.power_total_w = number_from(j.at("power_total_w"));
  row.power_per_lane_w = number_from(j.at("power_per_lane_w"));
  row.pj_per_bit = number_from(j.at("pj_per_bit"));
  row.insertion_loss_db_at_nyquist = number_from(j.at("insertion_loss_db_at_nyquist"));
  row.com_db = number_from(j.at("com_db"));
  return row;
}

nlohmann::ordered_json sweep_json(const Sweep& sweep, const std::vector<SweepRow>& rows) {
  using nlohmann::ordered_json;
  ordered_json axes = ordered_json::array();
  for (const auto& axis : sweep.spec().axes) {
    axes.push_back({{"key", axis.key}, {"values", axis.values}});
  }
  std::vector<const SweepRow*> sorted;
  for (const auto& row : rows) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(),
            [](const SweepRow* a, const SweepRow* b) { return a->index < b->index; });
  ordered_json table = ordered_json::array();
  std::size_t failed = 0;
  for (const SweepRow* row : sorted) {
    table.push_back(sweep_row_json(sweep, *row));
    if (!row->error.empty()) ++failed;
  }
  ordered_json j;
  j["kind"] = "sweep";
  j["name"] = sweep.name();
  j["optilane_version"] = version_string;
  j["git_revision"] = git_revision;
  j["config_file"] = sweep.spec().config_path;
  j["overrides"] = sweep.spec().overrides;
  j["seed"] = sweep.seed();
  j["seed_policy"] =
      "every point runs with this seed (common random numbers), so a row equals `optilane run` "
      "with the same --set values; vary signal.seed for independent replicates";
  j["mode"] = sweep.spec().zip ? "zip" : "product";
  j["axes"] = axes;
  j["points"] = sweep.size();
  j["failed"] = failed;
  j["figures"] =
      "per point: the link's BER as `run` reports it, the worst lane's Monte-Carlo BER (95 % "
      "Clopper-Pearson interval) and semi-analytic BER, the lowest SNR and eye heights/widths "
      "over lanes at the target BER, power and pJ/bit; copper: the highest insertion loss at "
      "Nyquist and the lowest COM over lanes (null without copper)";
  j["rows"] = table;
  return j;
}

std::string sweep_table(const Sweep& sweep, const std::vector<SweepRow>& rows) {
  std::string out =
      fmt::format("optilane {} sweep — {} ({} point{}, {}, seed {})\n", version_string,
                  sweep.name(), sweep.size(), sweep.size() == 1 ? "" : "s",
                  sweep.spec().zip ? "zipped" : "product", sweep.seed());
  std::vector<std::size_t> widths;
  out += fmt::format("{:>6}", "point");
  for (const auto& axis : sweep.spec().axes) {
    widths.push_back(std::max<std::size_t>(axis.key.size(), 10));
    out += fmt::format("  {:>{}}", axis.key, widths.back());
  }
  // The copper columns only when some point has copper.
  const bool copper = std::any_of(rows.begin(), rows.end(), [](const SweepRow& row) {
    return std::isfinite(row.insertion_loss_db_at_nyquist);
  });
  out += fmt::format("  {:>10} {:>10} {:>10} {:>7} {:>11} {:>7}", "BER", "BER MC", "BER semi",
                     "SNR[dB]", "min eye", "pJ/bit");
  if (copper) out += fmt::format(" {:>7} {:>7}", "IL[dB]", "COM[dB]");
  out += "  result\n";
  auto number = [](double v, const char* format) {
    return std::isfinite(v) ? fmt::format(fmt::runtime(format), v) : std::string("-");
  };
  std::vector<const SweepRow*> sorted;
  for (const auto& row : rows) sorted.push_back(&row);
  std::sort(sorted.begin(), sorted.end(),
            [](const SweepRow* a, const SweepRow* b) { return a->index < b->index; });
  for (const SweepRow* row : sorted) {
    out += fmt::format("{:>6}", row->index);
    for (std::size_t a = 0; a < widths.size(); ++a) {
      out += fmt::format("  {:>{}}", a < row->values.size() ? row->values[a] : "", widths[a]);
    }
    double min_eye = std::numeric_limits<double>::infinity();
    for (double h : row->eye_height) min_eye = std::min(min_eye, h);
    out += fmt::format("  {:>10} {:>10} {:>10} {:>7} {:>11} {:>7}", number(row->ber, "{:.3e}"),
                       number(row->ber_monte_carlo, "{:.3e}"),
                       number(row->ber_semi_analytic, "{:.3e}"), number(row->snr_db, "{:.2f}"),
                       number(min_eye, "{:.4g}"), number(row->pj_per_bit, "{:.2f}"));
    if (copper) {
      out += fmt::format(" {:>7} {:>7}", number(row->insertion_loss_db_at_nyquist, "{:.2f}"),
                         number(row->com_db, "{:.2f}"));
    }
    out += fmt::format(
        "  {}\n", row->error.empty() ? (row->closes ? "closes" : "does not close") : row->error);
  }
  return out;
}

}  // namespace optilane
